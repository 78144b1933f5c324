"""Pricing rules that sit on top of the schedule engine: the annualized-rate cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from common.exceptions import InvalidInput
from common.money import FEN, round_rate
from loans.schedule import (
    DueDateRule,
    InterestRate,
    RepaymentMethod,
    Schedule,
    ScheduleError,
    build_schedule,
)

MAX_TERM = 360
MAX_PRINCIPAL = Decimal("100000000.00")
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
# A first period longer than this is not a monthly schedule any more.
MAX_FIRST_PERIOD = dt.timedelta(days=92)


def annualized_rate_cap() -> Decimal:
    """The highest annualized rate (IRR) any product or price may carry."""
    return Decimal(str(settings.MICROLEND["ANNUALIZED_RATE_CAP"]))


def _percent(rate: Decimal) -> str:
    return f"{round_rate(rate * 100, 2)}%"


def schedule_quote(
    *,
    principal: Decimal,
    term: int,
    method: RepaymentMethod,
    rate: InterestRate,
    start_date: dt.date,
    first_due_date: dt.date | None = None,
    rounding_unit: Decimal = FEN,
    due_date_rule: DueDateRule = DueDateRule(),  # noqa: B008 - frozen dataclass
) -> Schedule:
    """A schedule that may be offered: the engine's schedule, refused if its annualized rate
    is above the cap. Every failure is an `InvalidInput` naming the problem."""
    if not EARLIEST_DATE <= start_date <= LATEST_DATE:
        raise InvalidInput(
            f"The start date must be between {EARLIEST_DATE} and {LATEST_DATE}.",
            code="start_date_out_of_range",
        )
    if first_due_date is not None and not (
        start_date < first_due_date <= start_date + MAX_FIRST_PERIOD
    ):
        raise InvalidInput(
            "The first due date must be after the start date and at most "
            f"{MAX_FIRST_PERIOD.days} days later.",
            code="first_due_date",
        )
    cap = annualized_rate_cap()
    # The simple rate is never above the IRR, so a simple rate over the cap fails fast
    # (before an IRR on absurd rates is attempted).
    if rate.simple_annual > cap:
        raise InvalidInput(
            f"The annualized rate {_percent(rate.simple_annual)} is above the {_percent(cap)} cap.",
            code="rate_above_cap",
        )
    try:
        schedule = build_schedule(
            principal=principal,
            term=term,
            method=method,
            rate=rate,
            start_date=start_date,
            first_due_date=first_due_date,
            rounding_unit=rounding_unit,
            due_date_rule=due_date_rule,
        )
    except ScheduleError as exc:
        raise InvalidInput(exc.detail, code=exc.code) from exc
    if schedule.annualized_rate_irr > cap:
        raise InvalidInput(
            f"The annualized rate (IRR) {_percent(schedule.annualized_rate_irr)} is above the "
            f"{_percent(cap)} cap.",
            code="rate_above_cap",
        )
    return schedule


def product_pricing_check(
    *,
    basis_rate: InterestRate,
    terms: list[int],
    methods: list[RepaymentMethod],
    rounding_unit: Decimal,
    start_date: dt.date,
) -> None:
    """Refuse a product whose most expensive price is above the cap: its highest rate on
    every term and method it offers must give an offerable schedule."""
    for term in terms:
        for method in methods:
            schedule_quote(
                principal=Decimal("10000.00"),
                term=term,
                method=method,
                rate=basis_rate,
                start_date=start_date,
                rounding_unit=rounding_unit,
            )
