"""Pricing rules that sit on top of the schedule engine: the annualized-rate cap, for one
quote and for a whole product (DOMAIN.md §2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from common.exceptions import InvalidInput
from common.money import FEN, round_rate
from loans.schedule import (
    DueDateRule,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    Schedule,
    ScheduleError,
    build_schedule,
)
from loans.schedule.worst_case import WorstCase, product_worst_case

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
    # An IRR is not attempted on absurd rates: a simple rate above twice the cap always has
    # an IRR above the cap (for periods of up to 92 days). Between the cap and twice the cap
    # the IRR decides: on the actual dates it can be a little below the simple rate.
    if rate.simple_annual > 2 * cap:
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


# The amount the check used before it took every draw amount: callers that do not give the
# product's draw amounts get this one amount.
_LEGACY_CHECK_AMOUNT = Decimal("10000.00")


def product_pricing_check(
    *,
    basis_rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod | str],
    rounding_unit: Decimal,
    start_date: dt.date,
    min_draw: Decimal | None = None,
    max_draw: Decimal | None = None,
    draw_step: Decimal | None = None,
    due_date_rule: DueDateRule = DueDateRule(),  # noqa: B008 - frozen dataclass
) -> WorstCase:
    """Refuse a product whose most expensive case is above the cap, and return that case.

    `basis_rate` is the product's highest rate. The worst case is taken over every first
    period the due-date rules allow, every term and method given, and every amount from
    `min_draw` to `max_draw` in `draw_step` (loans.schedule.worst_case): a draw the product
    passed for is never refused for its rate. Every case must also be schedulable (no row
    before the last without principal). Each failure is an `InvalidInput`
    (`rate_above_cap`, `schedule_not_representable`, ...) naming a case. Without draw
    amounts only 10,000.00 is checked, as before; give the product's amounts."""
    if min_draw is None or max_draw is None or draw_step is None:
        min_draw = max_draw = draw_step = _LEGACY_CHECK_AMOUNT
    cap = annualized_rate_cap()
    if basis_rate.simple_annual > 2 * cap:
        raise InvalidInput(
            f"The annualized rate {_percent(basis_rate.simple_annual)} is above the "
            f"{_percent(cap)} cap.",
            code="rate_above_cap",
        )
    try:
        return product_worst_case(
            rate=basis_rate,
            terms=terms,
            methods=methods,
            min_draw=min_draw,
            max_draw=max_draw,
            draw_step=draw_step,
            rounding_unit=rounding_unit,
            due_date_rule=due_date_rule,
            calendar_start=start_date,
            cap=cap,
        )
    except ScheduleError as exc:
        raise InvalidInput(exc.detail, code=exc.code) from exc


class PricedProduct(Protocol):
    """What the product check reads from a product (`loans.models.LoanProduct` has it)."""

    @property
    def rate_basis(self) -> RateBasis: ...
    @property
    def daily_rate_max(self) -> Decimal | None: ...
    @property
    def annual_rate(self) -> Decimal | None: ...
    @property
    def offered_terms(self) -> list[int]: ...
    @property
    def offered_methods(self) -> list[str]: ...
    @property
    def installment_rounding_unit(self) -> Decimal: ...
    @property
    def min_draw(self) -> Decimal: ...
    @property
    def max_draw(self) -> Decimal: ...
    @property
    def draw_step(self) -> Decimal: ...
    @property
    def due_date_rule(self) -> DueDateRule: ...


def product_pricing_check_for(product: PricedProduct, *, start_date: dt.date) -> WorstCase:
    """`product_pricing_check` with everything read from the product: its highest rate,
    offered terms and methods, rounding unit, draw amounts and due-date rule."""
    rate_value = (
        product.daily_rate_max if product.rate_basis is RateBasis.DAILY else product.annual_rate
    )
    if rate_value is None:
        raise InvalidInput("The product has no rate for its kind.", code="rate_missing")
    return product_pricing_check(
        basis_rate=InterestRate(product.rate_basis, rate_value),
        terms=product.offered_terms,
        methods=product.offered_methods,
        rounding_unit=product.installment_rounding_unit,
        start_date=start_date,
        min_draw=product.min_draw,
        max_draw=product.max_draw,
        draw_step=product.draw_step,
        due_date_rule=product.due_date_rule,
    )
