"""What an installment owes on a date: interest, penalty and compound interest (DOMAIN.md
§1, §5, §6). Pure functions of an installment's stored state, the loan's frozen terms and
the date: no database, no clock.

Counting days. What is owed on date P counts the days before P: a span's start day counts,
its end day does not, and P is the payment (or business) date. The close of day D
recognizes what is owed on D + 1, so `accrual_for_day(…, D)` is owed(D + 1) − owed(D).

Spans. Each component of an installment accrues over a span with a base: interest on the
principal of the period (`interest_span_base`, the opening balance unless cut), penalty on
the overdue principal (principal − principal_paid), compound on the overdue unpaid interest
(interest − interest_paid). A span's amount is computed on the whole span and rounded once;
what is owed is what was accrued before the span plus the span's amount. When a base
changes (a partial payment of overdue principal or interest, a prepayment), the span is cut
there (`accrual_cut`, `accrual_after_payment`): what was accrued up to the cut is kept and a
new span starts on the new base.

- Micro-loans (daily rate d): a span's interest is round(base × d × days), days =
  min(P, due) − span start.
- Bank loans (annual rate a): the month's interest I = round(base × a / 12) accrues as
  round(I × k / days_of_period), k = min(P, due) − span start, days_of_period = due −
  period start, so the days of an uncut period add up to exactly I. After the due date the
  period's interest is complete.
- Penalty: overdue principal × daily rate (bank loans: a / 360) × multiplier × days, days =
  P − span start (the due date unless cut), charged only once P − due > grace days, and
  then for every day from the due date. Compound: the same on overdue unpaid interest, if
  the loan has it. A cut within grace changes nothing but the base: the remainder is still
  charged from the due date once grace passes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from common.money import ZERO
from loans.schedule.exact import rounded_product
from loans.schedule.types import DAYS_PER_YEAR, MONTHS_PER_YEAR, RateBasis, ScheduleError


class Standing(StrEnum):
    """Where an installment stands on a date (DOMAIN.md §5)."""

    NOT_YET_DUE = "not_yet_due"
    CURRENT = "current"  # its due date has come, its grace has not passed
    OVERDUE = "overdue"  # its grace has passed


def installment_standing(*, due_date: dt.date, grace_days: int, on: dt.date) -> Standing:
    """Overdue when `on` > due + grace, current when due ≤ `on` ≤ due + grace, not yet due
    otherwise. The one rule for every caller (pages, API, repayments, the close)."""
    if on > due_date + dt.timedelta(days=grace_days):
        return Standing.OVERDUE
    if on >= due_date:
        return Standing.CURRENT
    return Standing.NOT_YET_DUE


def days_past_due(*, oldest_unpaid_due_date: dt.date | None, on: dt.date) -> int:
    """Days past due for aging (DOMAIN.md §6): the date − the oldest unpaid due date, grace
    days included; 0 when nothing unpaid is due."""
    if oldest_unpaid_due_date is None or on <= oldest_unpaid_due_date:
        return 0
    return (on - oldest_unpaid_due_date).days


AGING_BUCKETS = ((1, 30, "1-30"), (31, 60, "31-60"), (61, 90, "61-90"))


def aging_bucket(days: int) -> str | None:
    """The staff aging bucket of a number of days past due: 1-30, 31-60, 61-90 or 91+
    (non-performing); None when not past due."""
    if days <= 0:
        return None
    for low, high, label in AGING_BUCKETS:
        if low <= days <= high:
            return label
    return "91+"


@dataclass(frozen=True)
class AccrualTerms:
    """The loan's frozen terms that accrual reads (DOMAIN.md §2, §6)."""

    basis: RateBasis
    rate: Decimal  # the daily rate (DAILY) or the annual rate (ANNUAL)
    grace_days: int
    penalty_rate_multiplier: Decimal
    compound_interest_enabled: bool


@dataclass(frozen=True)
class InstallmentAccrual:
    """An installment's stored accrual state. The database columns have the same names;
    `from_row` reads them from any object that has them."""

    period_start_date: dt.date
    due_date: dt.date
    opening_balance: Decimal
    principal: Decimal
    interest: Decimal  # as scheduled
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    # The current interest span: its start (the period start unless cut), what was accrued
    # in the period before it, and the principal it accrues on (the opening balance unless
    # cut). None stands for the uncut value.
    interest_span_start_date: dt.date | None = None
    interest_accrued_before_span: Decimal = ZERO
    interest_span_base: Decimal | None = None
    # Penalty and compound spans: None means from the due date.
    penalty_span_start_date: dt.date | None = None
    penalty_accrued_before_span: Decimal = ZERO
    compound_span_start_date: dt.date | None = None
    compound_accrued_before_span: Decimal = ZERO

    FIELDS: ClassVar[tuple[str, ...]] = (
        "period_start_date",
        "due_date",
        "opening_balance",
        "principal",
        "interest",
        "principal_paid",
        "interest_paid",
        "interest_span_start_date",
        "interest_accrued_before_span",
        "interest_span_base",
        "penalty_span_start_date",
        "penalty_accrued_before_span",
        "compound_span_start_date",
        "compound_accrued_before_span",
    )

    def __post_init__(self) -> None:
        # A period ends after it starts, but for a payoff row due on the day its period
        # starts, which owes no interest (the installment table's constraint says the same).
        if self.due_date < self.period_start_date or (
            self.due_date == self.period_start_date and self.interest != 0
        ):
            raise ScheduleError("A period must end after it starts.", "installment_dates")
        start = self.interest_start
        if not self.period_start_date <= start <= self.due_date:
            raise ScheduleError("The interest span starts outside its period.", "span_invalid")
        for name in ("penalty_span_start_date", "compound_span_start_date"):
            value = getattr(self, name)
            if value is not None and value < self.due_date:
                raise ScheduleError("A penalty span starts before the due date.", "span_invalid")

    @classmethod
    def from_row(cls, row: Any) -> InstallmentAccrual:
        """The state read from an object with the same attribute names (a model instance);
        attributes it lacks take their defaults."""
        values = {name: getattr(row, name) for name in cls.FIELDS if hasattr(row, name)}
        return cls(**values)

    @property
    def interest_start(self) -> dt.date:
        return self.interest_span_start_date or self.period_start_date

    @property
    def interest_base(self) -> Decimal:
        return self.opening_balance if self.interest_span_base is None else self.interest_span_base

    @property
    def overdue_principal(self) -> Decimal:
        return self.principal - self.principal_paid

    @property
    def overdue_interest(self) -> Decimal:
        return self.interest - self.interest_paid

    @property
    def days_of_period(self) -> int:
        return (self.due_date - self.period_start_date).days


@dataclass(frozen=True)
class Owed:
    """Cumulative amounts accrued on an installment to a date (not net of payments)."""

    interest: Decimal
    penalty: Decimal
    compound: Decimal

    def __sub__(self, other: Owed) -> Owed:
        return Owed(
            self.interest - other.interest,
            self.penalty - other.penalty,
            self.compound - other.compound,
        )


def _interest_span(terms: AccrualTerms, state: InstallmentAccrual, on: dt.date) -> Decimal:
    """The current interest span's amount up to `on`."""
    end = min(on, state.due_date)
    days = max((end - state.interest_start).days, 0)
    if days == 0:
        return ZERO
    if terms.basis is RateBasis.DAILY:
        return rounded_product(state.interest_base, terms.rate, days)
    month = rounded_product(state.interest_base, terms.rate, divisor=MONTHS_PER_YEAR)
    return rounded_product(month, days, divisor=state.days_of_period)


def interest_owed_on(terms: AccrualTerms, state: InstallmentAccrual, on: dt.date) -> Decimal:
    """The period's interest accrued to `on` (complete from the due date on)."""
    return state.interest_accrued_before_span + _interest_span(terms, state, on)


def _past_grace(terms: AccrualTerms, state: InstallmentAccrual, on: dt.date) -> bool:
    return (on - state.due_date).days > terms.grace_days


def _penalty_span(
    terms: AccrualTerms,
    state: InstallmentAccrual,
    base: Decimal,
    start: dt.date | None,
    on: dt.date,
) -> Decimal:
    if not _past_grace(terms, state, on) or base <= 0:
        return ZERO
    days = (on - (start or state.due_date)).days
    if days <= 0:
        return ZERO
    if terms.basis is RateBasis.DAILY:
        return rounded_product(base, terms.rate, terms.penalty_rate_multiplier, days)
    return rounded_product(
        base, terms.rate, terms.penalty_rate_multiplier, days, divisor=DAYS_PER_YEAR
    )


def penalty_owed_on(terms: AccrualTerms, state: InstallmentAccrual, on: dt.date) -> Decimal:
    """Penalty interest on the overdue principal accrued to `on`."""
    return state.penalty_accrued_before_span + _penalty_span(
        terms, state, state.overdue_principal, state.penalty_span_start_date, on
    )


def compound_owed_on(terms: AccrualTerms, state: InstallmentAccrual, on: dt.date) -> Decimal:
    """Compound interest on the overdue unpaid interest accrued to `on` (0 if the loan has
    none)."""
    if not terms.compound_interest_enabled:
        return state.compound_accrued_before_span
    return state.compound_accrued_before_span + _penalty_span(
        terms, state, state.overdue_interest, state.compound_span_start_date, on
    )


def owed_on(terms: AccrualTerms, state: InstallmentAccrual, on: dt.date) -> Owed:
    """Interest, penalty and compound interest accrued on the installment to `on`,
    cumulative, each rounded once per span (the module docstring has the rules)."""
    return Owed(
        interest=interest_owed_on(terms, state, on),
        penalty=penalty_owed_on(terms, state, on),
        compound=compound_owed_on(terms, state, on),
    )


def accrual_for_day(terms: AccrualTerms, state: InstallmentAccrual, day: dt.date) -> Owed:
    """What the close of `day` recognizes: owed on the next day − owed on `day`. Over a
    period these add up to exactly what is owed at its end."""
    return owed_on(terms, state, day + dt.timedelta(days=1)) - owed_on(terms, state, day)


def accrual_cut(
    terms: AccrualTerms,
    state: InstallmentAccrual,
    on: dt.date,
    *,
    interest: bool = False,
    penalty: bool = False,
    compound: bool = False,
) -> InstallmentAccrual:
    """Close the named spans at `on`, before their base changes: what they accrued up to
    `on` moves to `…_accrued_before_span` and a new span starts on `on`. Owed on `on` is the
    same before and after. An interest span is only cut inside its period (after the due
    date the period's interest is complete); a penalty or compound span only once grace has
    passed (within grace nothing has accrued, and the new base will still be charged from
    the due date)."""
    changes: dict[str, Any] = {}
    if interest and state.interest_start < on < state.due_date:
        changes["interest_accrued_before_span"] = interest_owed_on(terms, state, on)
        changes["interest_span_start_date"] = on
    if _past_grace(terms, state, on):
        if penalty:
            changes["penalty_accrued_before_span"] = penalty_owed_on(terms, state, on)
            changes["penalty_span_start_date"] = on
        if compound and terms.compound_interest_enabled:
            changes["compound_accrued_before_span"] = compound_owed_on(terms, state, on)
            changes["compound_span_start_date"] = on
    return replace(state, **changes) if changes else state


def accrual_after_payment(
    terms: AccrualTerms,
    state: InstallmentAccrual,
    on: dt.date,
    *,
    principal_paid: Decimal = ZERO,
    interest_paid: Decimal = ZERO,
    interest_span_base: Decimal | None = None,
) -> InstallmentAccrual:
    """The state after a payment on `on` of `principal_paid` and `interest_paid` (amounts of
    this payment) and, for a prepayment, a new principal for the period's interest: the
    spans whose base changes are cut first, then the paid amounts are added."""
    if principal_paid < 0 or interest_paid < 0:
        raise ScheduleError("A payment cannot be negative.", "payment_negative")
    if state.principal_paid + principal_paid > state.principal:
        raise ScheduleError("More principal than the installment has.", "payment_exceeds_owed")
    if state.interest_paid + interest_paid > state.interest:
        raise ScheduleError("More interest than the installment has.", "payment_exceeds_owed")
    new_base = interest_span_base is not None and interest_span_base != state.interest_base
    if new_base and on >= state.due_date:
        raise ScheduleError(
            "The interest of a period that has fallen due cannot change.", "interest_complete"
        )
    cut = accrual_cut(
        terms,
        state,
        on,
        interest=new_base,
        penalty=principal_paid > 0,
        compound=interest_paid > 0,
    )
    changes: dict[str, Any] = {
        "principal_paid": state.principal_paid + principal_paid,
        "interest_paid": state.interest_paid + interest_paid,
    }
    if new_base:
        changes["interest_span_base"] = interest_span_base
    return replace(cut, **changes)
