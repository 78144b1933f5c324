"""The search for a product's worst case over its shapes and amounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from common.money import FEN, money_context
from loans.schedule.engine import (
    RowInterest,
    equal_principal_fen,
    fixed_part_fen,
    schedule_rows_fen,
    validate_amounts,
)
from loans.schedule.exact import from_fen, to_fen
from loans.schedule.rates import disclosed_rate, irr
from loans.schedule.types import (
    IRR_DAYS_PER_YEAR,
    MONTHS_PER_YEAR,
    DueDateRule,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    ScheduleError,
)
from loans.schedule.worst_case.shapes import (
    SCALE_DIGITS,
    Discounts,
    Shape,
    Shapes,
    bank_shapes,
    daily_shapes,
)

# Half of the disclosure step: an annualized rate x discloses above b iff x ≥ b + this.
_HALF_STEP = Decimal("0.00005")
_SCALE = 10**SCALE_DIGITS


@dataclass(frozen=True)
class WorstCase:
    """The highest disclosed annualized rate (IRR, 0.01%) over every case of a product, and
    one case that has it: an amount, term and method, and example dates with its period
    days (the dates stand for every draw whose periods have those lengths). `cases` is how
    many schedules the worst is taken over; `schedules_built` how many were built."""

    annualized_rate_irr: Decimal
    principal: Decimal
    term: int
    method: RepaymentMethod
    start_date: dt.date
    first_due_date: dt.date
    period_days: tuple[int, ...]
    cases: int
    schedules_built: int


def draw_amounts(min_draw: Decimal, max_draw: Decimal, draw_step: Decimal) -> list[int]:
    """The amounts a borrower may choose, in fen: multiples of the step from the smallest
    draw to the largest (the rule of draw validation)."""
    low, high, step = to_fen(min_draw), to_fen(max_draw), to_fen(draw_step)
    if low <= 0 or step <= 0 or high < low:
        raise ScheduleError(
            "The draw amounts must be positive and the largest at least the smallest.",
            "draw_amounts_invalid",
        )
    first = -(-low // step) * step
    amounts = list(range(first, high + 1, step))
    if not amounts:
        raise ScheduleError(
            "No multiple of the draw step lies between the smallest and the largest draw.",
            "draw_amounts_invalid",
        )
    return amounts


class _Bar:
    """The worst case found so far and the discount factors at its threshold rate."""

    def __init__(self, per_year: int, horizon: int, cap: Decimal | None) -> None:
        self.per_year = per_year
        self.horizon = horizon
        self.cap = cap
        self.best: WorstCase | None = None
        self.discounts = Discounts()

    def raise_to(self, case: WorstCase) -> None:
        self.best = case
        with money_context():
            threshold = (case.annualized_rate_irr + _HALF_STEP) / self.per_year
        self.discounts.at(threshold, self.horizon)
        if self.cap is not None and case.annualized_rate_irr > self.cap:
            raise ScheduleError(
                f"The annualized rate (IRR) reaches {case.annualized_rate_irr * 100:.2f}%, "
                f"above the {self.cap * 100:.2f}% cap: {case.principal} over {case.term} "
                f"months ({_method_words(case.method)}), first period {case.period_days[0]} "
                "days.",
                "rate_above_cap",
            )


def _method_words(method: RepaymentMethod) -> str:
    return method.value.replace("_", " ")


class _Search:
    def __init__(self, rate: InterestRate, unit_fen: int, amounts: list[int], bar: _Bar) -> None:
        self.rate = rate
        self.unit_fen = unit_fen
        self.half_unit = Decimal(unit_fen) / 2
        self.amounts = amounts
        self.bar = bar
        self.interest = RowInterest.of(rate)
        self.built = 0
        self.installments: dict[tuple[int, int], int] = {}

    def fixed(self, amount: int, shape: Shape) -> int:
        if shape.method is RepaymentMethod.EQUAL_PRINCIPAL:
            return equal_principal_fen(amount, shape.term, self.unit_fen)
        key = (amount, shape.term)
        if key not in self.installments:
            self.installments[key] = fixed_part_fen(
                amount, shape.term, shape.method, self.rate, self.unit_fen
            )
        return self.installments[key]

    def visit(self, shape: Shape) -> None:
        bar = self.bar
        days: tuple[int, ...] | None = None
        cutoff = shape.cutoff(bar.discounts, self.half_unit) if bar.best else None
        needs_rows = shape.method is RepaymentMethod.EQUAL_INSTALLMENT
        for amount in self.amounts:
            rows_needed = needs_rows and (
                shape.safe_above_fen is None or amount <= shape.safe_above_fen
            )
            rate_needed = cutoff is None or amount <= cutoff
            if not (rows_needed or rate_needed):
                break
            if days is None:
                days, times = shape.days, shape.times
            try:
                rows = schedule_rows_fen(
                    amount, shape.method, self.interest, days, self.fixed(amount, shape)
                )
            except ScheduleError as exc:
                raise ScheduleError(
                    f"{from_fen(amount)} {shape.describe()} cannot be scheduled: {exc.detail}",
                    exc.code,
                ) from exc
            self.built += 1
            if not rate_needed:
                continue
            if bar.best is not None:
                # The present value at the bar's rate in fen × 10^30, with the discount
                # factors rounded down (and their 40-digit error under 10^-5 of a unit):
                # each term is less than its payment in fen below the exact one, so a value
                # below −(payments + amount) is negative for certain.
                scaled = bar.discounts.scaled
                paid = 0
                npv = -amount * _SCALE
                for (part, row_interest), t in zip(rows, times, strict=True):
                    payment = part + row_interest
                    paid += payment
                    npv += payment * scaled[t]
                if npv < -(paid + amount):
                    continue
            payments = [from_fen(p + i) for p, i in rows]
            principal = from_fen(amount)
            with money_context():
                disclosed = disclosed_rate(irr(principal, times, payments) * bar.per_year)
            if bar.best is None or disclosed > bar.best.annualized_rate_irr:
                bar.raise_to(
                    WorstCase(
                        annualized_rate_irr=disclosed,
                        principal=principal,
                        term=shape.term,
                        method=shape.method,
                        start_date=shape.start_date,
                        first_due_date=shape.first_due_date,
                        period_days=days,
                        cases=0,
                        schedules_built=0,
                    )
                )
                cutoff = shape.cutoff(bar.discounts, self.half_unit)


def _check_equal_principal_amounts(terms: Iterable[int], amounts: list[int], unit_fen: int) -> None:
    """p = round(A / n) to the unit must be > 0 and (n − 1)·p < A; both hold for every
    A > n(n − 1)·unit / 2, so only the amounts below are tried."""
    for term in terms:
        if term == 1:
            continue
        safe_above = term * (term - 1) * unit_fen // 2
        for amount in amounts:
            if amount > safe_above:
                break
            part = equal_principal_fen(amount, term, unit_fen)
            if not (part > 0 and (term - 1) * part < amount):
                raise ScheduleError(
                    f"{from_fen(amount)} over {term} months (equal principal) cannot be "
                    "scheduled: a row before the last would repay no principal, or all of it. "
                    "Raise the smallest draw, shorten the longest term or round to the fen.",
                    "schedule_not_representable",
                )


def product_shapes(
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod],
    due_date_rule: DueDateRule,
    calendar_start: dt.date,
    unit_fen: int,
) -> tuple[Shapes, int]:
    """The product's shapes and the number of periods of a year for its IRR."""
    h = Decimal(1) / 2 + Decimal(unit_fen) / 2
    if rate.basis is RateBasis.ANNUAL:
        return bank_shapes(terms, methods, rate, calendar_start, h), MONTHS_PER_YEAR
    shapes = daily_shapes(terms, methods, rate, due_date_rule, calendar_start, h)
    return shapes, IRR_DAYS_PER_YEAR


def _validated(
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod | str],
    min_draw: Decimal,
    max_draw: Decimal,
    draw_step: Decimal,
    rounding_unit: Decimal,
) -> tuple[list[int], list[RepaymentMethod], list[int], int]:
    if not terms or not methods:
        raise ScheduleError("A product needs a term and a method.", "product_terms_invalid")
    sorted_terms = sorted(set(terms))
    if sorted_terms[0] < 1:
        raise ScheduleError("The term must be at least one period.", "term_out_of_range")
    chosen = sorted({RepaymentMethod(m) for m in methods}, key=lambda m: m.value)
    amounts = draw_amounts(min_draw, max_draw, draw_step)
    validate_amounts(from_fen(amounts[0]), sorted_terms[0], rate, rounding_unit)
    return sorted_terms, chosen, amounts, to_fen(rounding_unit)


def product_worst_case(
    *,
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod | str],
    min_draw: Decimal,
    max_draw: Decimal,
    draw_step: Decimal,
    rounding_unit: Decimal = FEN,
    due_date_rule: DueDateRule = DueDateRule(),  # noqa: B008 - frozen dataclass
    calendar_start: dt.date,
    cap: Decimal | None = None,
) -> WorstCase:
    """The highest disclosed annualized IRR over every case of a product (see the module
    docstring for why it is exact). Raises `ScheduleError`: `schedule_not_representable`
    naming a case that cannot be scheduled, or, when `cap` is given, `rate_above_cap` as
    soon as a case above the cap is found."""
    sorted_terms, chosen, amounts, unit_fen = _validated(
        rate, terms, methods, min_draw, max_draw, draw_step, rounding_unit
    )
    if RepaymentMethod.EQUAL_PRINCIPAL in chosen:
        _check_equal_principal_amounts(sorted_terms, amounts, unit_fen)
    shapes, per_year = product_shapes(
        rate, sorted_terms, chosen, due_date_rule, calendar_start, unit_fen
    )
    bar = _Bar(per_year, shapes.horizon, cap)
    search = _Search(rate, unit_fen, amounts, bar)
    for shape in shapes:
        search.visit(shape)
    assert bar.best is not None
    return replace(bar.best, cases=len(amounts) * shapes.count, schedules_built=search.built)


def product_worst_case_brute_force(
    *,
    rate: InterestRate,
    terms: Sequence[int],
    methods: Sequence[RepaymentMethod | str],
    min_draw: Decimal,
    max_draw: Decimal,
    draw_step: Decimal,
    rounding_unit: Decimal = FEN,
    due_date_rule: DueDateRule = DueDateRule(),  # noqa: B008 - frozen dataclass
    calendar_start: dt.date,
) -> Decimal:
    """Every case built and solved, no bound used: the reference the search is tested and
    measured against. Slow by design."""
    sorted_terms, chosen, amounts, unit_fen = _validated(
        rate, terms, methods, min_draw, max_draw, draw_step, rounding_unit
    )
    shapes, per_year = product_shapes(
        rate, sorted_terms, chosen, due_date_rule, calendar_start, unit_fen
    )
    interest = RowInterest.of(rate)
    worst = Decimal(-1)
    for shape in shapes:
        for amount in amounts:
            fixed = fixed_part_fen(amount, shape.term, shape.method, rate, unit_fen)
            rows = schedule_rows_fen(amount, shape.method, interest, shape.days, fixed)
            payments = [from_fen(p + i) for p, i in rows]
            with money_context():
                annualized = irr(from_fen(amount), shape.times, payments) * per_year
            worst = max(worst, disclosed_rate(annualized))
    return worst
