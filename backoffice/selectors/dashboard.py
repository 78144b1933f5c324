"""The back office's first page: the portfolio and the day in figures (issue: dashboard).

Every figure is a set-based aggregate over whole tables, a handful of statements whatever
the size of the book (DOMAIN.md §6 for the aging buckets):

1. the queues and the face checks: one statement of scalar counts;
2. the last close of business;
3. the loans in one pass, grouped by value date within the window (30 days, or the month
   if it began earlier) and aging bucket: outstanding principal, the buckets (active
   loans; days past due = the business date − `oldest_unpaid_due_date`) and what was
   disbursed per day;
4. received per value date over the same window (`repayment_received_by_date` index);
5. overdue principal per day: what is open now, less what fell overdue after each day,
   plus what was settled after it (overdue records; `overdue_record_by_date` and
   `overdue_record_settled` indexes), so no day is rebuilt from the installments.

Amounts are Decimal; ratios are Decimal fractions rounded to 0.01% when shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from closing.models import CloseFailure
from common.models import BusinessCalendar, CloseRun
from common.money import MoneyField
from loans.models import ApplicationStatus, Loan, LoanApplication
from repayments.models import OverdueRecord, PrepaymentApplication, Repayment
from verification.models import ManualReview, VerificationAttempt

ZERO = Decimal("0.00")
TREND_DAYS = 30
# Money that came in from outside: an overpayment applied later was counted when it came.
RECEIVED_KINDS = ("payment", "collection", "payoff", "prepayment")
FACE_REFUSAL_CODES = ("face_check_failed", "manual_review_rejected")


@dataclass(frozen=True)
class AgingBucket:
    """Loans whose days past due fall in [low, high] (high None: and above)."""

    key: str
    low: int
    high: int | None
    loans: int
    principal: Decimal
    # This bucket's principal / all outstanding principal, and the portfolio at risk from
    # this bucket on (PAR low: principal of loans at least `low` days past due / all).
    share: Decimal | None
    par: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}" if self.high is not None else f"{self.low - 1}+"


@dataclass(frozen=True)
class TrendDay:
    day: dt.date
    disbursed: Decimal
    received: Decimal
    overdue: Decimal


@dataclass(frozen=True)
class LastClose:
    business_date: dt.date
    state: str
    state_label: str
    finished_at: dt.datetime | None


@dataclass
class Dashboard:
    business_date: dt.date
    calendar_state: str
    calendar_state_label: str
    last_close: LastClose | None
    outstanding_principal: Decimal
    active_loans: int
    draws_today: int
    disbursed_today: Decimal
    draws_month: int
    disbursed_month: Decimal
    repayments_today: int
    received_today: Decimal
    repayments_month: int
    received_month: Decimal
    buckets: list[AgingBucket]
    overdue_loans: int
    overdue_principal_at_risk: Decimal
    face_attempts: int
    face_attempts_passed: int
    face_refusals: int
    prepayments_waiting: int
    manual_reviews_waiting: int
    close_failures_open: int
    close_failed_loans: int
    trend: list[TrendDay] = field(default_factory=list)

    @property
    def face_pass_rate(self) -> Decimal | None:
        return ratio(Decimal(self.face_attempts_passed), Decimal(self.face_attempts))

    @property
    def par_1(self) -> Decimal | None:
        return self.buckets[0].par if self.buckets else None


# Days past due per bucket (DOMAIN.md §6: 91+ is non-performing).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("dpd_1_30", 1, 30),
    ("dpd_31_60", 31, 60),
    ("dpd_61_90", 61, 90),
    ("dpd_91_plus", 91, None),
)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a fraction with 6 places (0.012345 = 1.23%), None without a whole."""
    if not whole:
        return None
    return (part / whole).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _scalars(*, on: dt.date, since: dt.datetime) -> dict[str, int | str]:
    """The calendar, the queues and the face checks of the last 30 days, one statement."""
    quote = connection.ops.quote_name
    tables = {
        "calendar": BusinessCalendar._meta.db_table,
        "prepayments": PrepaymentApplication._meta.db_table,
        "reviews": ManualReview._meta.db_table,
        "failures": CloseFailure._meta.db_table,
        "attempts": VerificationAttempt._meta.db_table,
        "applications": LoanApplication._meta.db_table,
    }
    codes = ", ".join(["%s"] * len(FACE_REFUSAL_CODES))
    sql = f"""
SELECT c.state,
       (SELECT COUNT(*) FROM {tables["prepayments"]} WHERE status = 'submitted'),
       (SELECT COUNT(*) FROM {tables["reviews"]} WHERE status = 'pending'),
       (SELECT COUNT(*) FROM {tables["failures"]} WHERE resolved_at IS NULL),
       (SELECT COUNT(DISTINCT loan_id) FROM {tables["failures"]} WHERE resolved_at IS NULL),
       (SELECT COUNT(*) FROM {tables["attempts"]} WHERE submitted_at >= %s AND NOT no_face_seen),
       (SELECT COUNT(*) FROM {tables["attempts"]} WHERE submitted_at >= %s AND passed),
       (SELECT COUNT(*) FROM {tables["applications"]}
         WHERE status = %s AND business_date >= %s AND refusal_code IN ({codes}))
  FROM {tables["calendar"]} c WHERE c.{quote("id")} = 1
"""  # noqa: S608 - table names from the models; values are parameters
    params: list[Any] = [
        since,
        since,
        ApplicationStatus.REFUSED,
        on - dt.timedelta(days=TREND_DAYS - 1),
        *FACE_REFUSAL_CODES,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    names = (
        "calendar_state",
        "prepayments_waiting",
        "manual_reviews_waiting",
        "close_failures_open",
        "close_failed_loans",
        "face_attempts",
        "face_attempts_passed",
        "face_refusals",
    )
    return dict(zip(names, row, strict=True))


def _loans_book(*, on: dt.date, window_start: dt.date) -> list[dict[str, Any]]:
    """One pass over the loans, grouped by (value date within the window, aging bucket):
    a loan's value date counts when it was disbursed in the window and not cancelled; its
    bucket (0: not past due, 1-4: `BUCKETS`) when it is active. About 40 × 6 groups."""
    bucket = Case(
        *[
            When(oldest_unpaid_due_date__lte=on - dt.timedelta(days=low), then=Value(index))
            for index, (_, low, _high) in reversed(list(enumerate(BUCKETS, start=1)))
        ],
        default=Value(0),
    )
    rows: Any = (
        Loan.objects.annotate(
            day=Case(
                When(
                    Q(start_date__gte=window_start, start_date__lte=on)
                    & ~Q(status=Loan.Status.CANCELLED),
                    then=F("start_date"),
                ),
                default=None,
                output_field=DateField(),
            ),
            bucket=Case(
                When(status=Loan.Status.ACTIVE, then=bucket),
                default=None,
                output_field=IntegerField(),
            ),
        )
        .order_by()
        .values("day", "bucket")
        .annotate(
            n=Count("pk"),
            principal=Coalesce(Sum("principal"), ZERO, output_field=MoneyField()),
            outstanding=Coalesce(Sum("principal_outstanding"), ZERO, output_field=MoneyField()),
        )
    )
    return list(rows)


def _per_day(rows: Any, day_field: str) -> dict[dt.date, tuple[int, Decimal]]:
    return {row[day_field]: (row["n"], row["amount"] or ZERO) for row in rows}


def dashboard_get(*, business_date: dt.date, now: dt.datetime) -> Dashboard:
    on = business_date
    month_start = on.replace(day=1)
    trend_start = on - dt.timedelta(days=TREND_DAYS - 1)
    window_start = min(month_start, trend_start)

    scalars = _scalars(on=on, since=now - dt.timedelta(days=TREND_DAYS))

    close = (
        CloseRun.objects.order_by("-business_date", "-pk")
        .values("business_date", "state", "finished_at")
        .first()
    )
    last_close = None
    if close is not None:
        last_close = LastClose(
            business_date=close["business_date"],
            state=close["state"],
            state_label=str(
                dict(CloseRun._meta.get_field("state").flatchoices).get(
                    close["state"], close["state"]
                )
            ),
            finished_at=close["finished_at"],
        )

    book = _loans_book(on=on, window_start=window_start)
    outstanding = sum((row["outstanding"] for row in book if row["bucket"] is not None), ZERO)
    active_loans = sum(row["n"] for row in book if row["bucket"] is not None)

    buckets: list[AgingBucket] = []
    per_bucket = [
        [row for row in book if row["bucket"] == index + 1] for index in range(len(BUCKETS))
    ]
    amounts = [sum((row["outstanding"] for row in rows), ZERO) for rows in per_bucket]
    for index, (key, low, high) in enumerate(BUCKETS):
        buckets.append(
            AgingBucket(
                key=key,
                low=low,
                high=high,
                loans=sum(row["n"] for row in per_bucket[index]),
                principal=amounts[index],
                share=ratio(amounts[index], outstanding),
                par=ratio(sum(amounts[index:], ZERO), outstanding),
            )
        )

    disbursed: dict[dt.date, tuple[int, Decimal]] = {}
    for row in book:
        if row["day"] is not None:
            n, amount = disbursed.get(row["day"], (0, ZERO))
            disbursed[row["day"]] = (n + row["n"], amount + row["principal"])
    received = _per_day(
        Repayment.objects.filter(
            status=Repayment.Status.SUCCEEDED,
            business_date__gte=window_start,
            business_date__lte=on,
            kind__in=RECEIVED_KINDS,
        )
        .order_by()
        .values("business_date")
        .annotate(n=Count("pk"), amount=Sum("amount")),
        "business_date",
    )
    overdue = _overdue_per_day(start=trend_start, end=on)

    def window(figures: dict[dt.date, tuple[int, Decimal]], first: dt.date) -> tuple[int, Decimal]:
        picked = [value for day, value in figures.items() if first <= day <= on]
        return sum((n for n, _ in picked), 0), sum((a for _, a in picked), ZERO)

    draws_today, disbursed_today = disbursed.get(on, (0, ZERO))
    draws_month, disbursed_month = window(disbursed, month_start)
    repayments_today, received_today = received.get(on, (0, ZERO))
    repayments_month, received_month = window(received, month_start)

    trend = [
        TrendDay(
            day=day,
            disbursed=disbursed.get(day, (0, ZERO))[1],
            received=received.get(day, (0, ZERO))[1],
            overdue=overdue.get(day, ZERO),
        )
        for day in (trend_start + dt.timedelta(days=n) for n in range(TREND_DAYS))
    ]
    state = str(scalars["calendar_state"])
    return Dashboard(
        business_date=on,
        calendar_state=state,
        calendar_state_label=str(
            dict(BusinessCalendar._meta.get_field("state").flatchoices).get(state, state)
        ),
        last_close=last_close,
        outstanding_principal=outstanding,
        active_loans=active_loans,
        draws_today=draws_today,
        disbursed_today=disbursed_today,
        draws_month=draws_month,
        disbursed_month=disbursed_month,
        repayments_today=repayments_today,
        received_today=received_today,
        repayments_month=repayments_month,
        received_month=received_month,
        buckets=buckets,
        overdue_loans=sum(b.loans for b in buckets),
        overdue_principal_at_risk=sum((b.principal for b in buckets), ZERO),
        face_attempts=int(scalars["face_attempts"]),
        face_attempts_passed=int(scalars["face_attempts_passed"]),
        face_refusals=int(scalars["face_refusals"]),
        prepayments_waiting=int(scalars["prepayments_waiting"]),
        manual_reviews_waiting=int(scalars["manual_reviews_waiting"]),
        close_failures_open=int(scalars["close_failures_open"]),
        close_failed_loans=int(scalars["close_failed_loans"]),
        trend=trend,
    )


def _overdue_per_day(*, start: dt.date, end: dt.date) -> dict[dt.date, Decimal]:
    """Overdue principal (as the overdue records hold it) at the end of each day of
    [start, end]: a record counts on day d when it fell overdue on or before d and was not
    settled by then (settled on d: no longer overdue that evening). Walked back from what
    is open now, in three aggregates."""
    records = OverdueRecord.objects.order_by()
    open_now = (
        records.filter(settled_date__isnull=True).aggregate(amount=Sum("principal_overdue"))[
            "amount"
        ]
        or ZERO
    )
    # Records that fell overdue after `start` and records settled after it, per day.
    came = dict(
        records.filter(overdue_from__gt=start, overdue_from__lte=end)
        .values("overdue_from")
        .annotate(amount=Sum("principal_overdue"))
        .values_list("overdue_from", "amount")
    )
    left = dict(
        records.filter(settled_date__gt=start, settled_date__lte=end)
        .values("settled_date")
        .annotate(amount=Sum("principal_overdue"))
        .values_list("settled_date", "amount")
    )
    result: dict[dt.date, Decimal] = {}
    balance = open_now
    day = end
    while day >= start:
        result[day] = balance
        balance += left.get(day, ZERO) - came.get(day, ZERO)
        day -= dt.timedelta(days=1)
    return result
