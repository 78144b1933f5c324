"""Due dates (DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from loans.schedule.types import DueDateRule, RateBasis


def add_months(anchor: dt.date, months: int) -> dt.date:
    """`anchor` moved by whole months, clamped to the month's last day (31 Jan + 1 = 28 Feb),
    always counted from the anchor so a clamped month does not shift later ones."""
    result: dt.date = anchor + relativedelta(months=months)
    return result


def repayment_day_for_first_draw(draw_date: dt.date, rule: DueDateRule) -> int:
    """The credit line's repayment day: the day of month of its first draw, or the
    fallback day for a first draw late in the month."""
    if draw_date.day >= rule.late_first_draw_day:
        return rule.fallback_repayment_day
    return draw_date.day


def first_due_date_on_repayment_day(
    draw_date: dt.date, repayment_day: int, rule: DueDateRule
) -> dt.date:
    """The first repayment day at least `min_days_to_first_due` days after the draw
    (repayment day 21, draw on 15 January: 21 February)."""
    earliest = draw_date + dt.timedelta(days=rule.min_days_to_first_due)
    candidate: dt.date = earliest + relativedelta(day=repayment_day)
    if candidate < earliest:
        candidate = earliest + relativedelta(months=1, day=repayment_day)
    return candidate


def default_first_due_date(start_date: dt.date, basis: RateBasis, rule: DueDateRule) -> dt.date:
    """The first due date of a credit line's first draw (daily rate) or of a bank loan
    (annual rate): one month after the start, except a first draw late in the month, which
    moves to the fallback repayment day."""
    if basis is RateBasis.DAILY and start_date.day >= rule.late_first_draw_day:
        return first_due_date_on_repayment_day(start_date, rule.fallback_repayment_day, rule)
    return add_months(start_date, 1)


def due_dates(first_due_date: dt.date, term: int) -> list[dt.date]:
    """The due dates of a schedule: the first one, then the same day of each month."""
    return [add_months(first_due_date, k) for k in range(term)]


def contract_due_dates(
    *,
    start_date: dt.date,
    basis: RateBasis,
    term: int,
    first_due_date: dt.date | None,
    rule: DueDateRule,
) -> list[dt.date]:
    """A schedule's due dates. Bank loans without a given first due date fall due monthly
    from the contract date, counted from the start so a contract of 31 January is due 29
    February, then 31 March, 30 April; otherwise the first due date (given, or the first
    draw's default) and the same day of each later month."""
    if first_due_date is None and basis is RateBasis.ANNUAL:
        return [add_months(start_date, k) for k in range(1, term + 1)]
    first_due = first_due_date or default_first_due_date(start_date, basis, rule)
    return due_dates(first_due, term)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole contract months from `start` to `end`: the largest m with add_months(start, m)
    ≤ end (a loan of 31 January is one month old on 29 February)."""
    if end < start:
        raise ValueError("The end is before the start.")
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months
