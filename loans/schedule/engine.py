"""Building a repayment schedule (DOMAIN.md §3). Pure functions: no database, no clock.

The rows are computed in whole fen with integer arithmetic: each row's interest is the exact
product rounded half-up once, the equal installment is the exact value of the annuity
formula rounded once to the rounding unit. `schedule_rows_fen` is the one implementation of
the row rules; `build_schedule` dresses it in dates and decimals, and the product check
(`loans.schedule.worst_case`) calls it directly for speed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from common.money import FEN, money_context
from loans.schedule.dates import contract_due_dates
from loans.schedule.exact import from_fen, is_whole_fen, ratio, round_half_up_ratio, to_fen
from loans.schedule.rates import DISCLOSED_RATE_PLACES, annualized_irr_on_dates, disclosed_rate
from loans.schedule.types import (
    MONTHS_PER_YEAR,
    DueDateRule,
    Installment,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    Schedule,
    ScheduleError,
)

# Annualized rates on a schedule are the disclosed figures: 0.01% (DOMAIN.md §2).
ANNUALIZED_RATE_PLACES = DISCLOSED_RATE_PLACES

NOT_REPRESENTABLE = (
    "The amount is too small to repay over this many periods with this rounding (a row "
    "before the last would repay no principal, or all of it): choose a larger amount, a "
    "shorter term or rounding to the fen."
)


@dataclass(frozen=True)
class RowInterest:
    """A row's interest in fen: round(balance × numerator [× days] / denominator), exact.
    Bank loans: annual / 12 whatever the days; daily-rate loans: daily × days."""

    numerator: int
    denominator: int
    by_days: bool

    @classmethod
    def of(cls, rate: InterestRate) -> RowInterest:
        numerator, denominator = ratio(rate.value)
        if rate.basis is RateBasis.ANNUAL:
            return cls(numerator, denominator * MONTHS_PER_YEAR, by_days=False)
        return cls(numerator, denominator, by_days=True)

    def fen(self, balance_fen: int, days: int) -> int:
        product = balance_fen * self.numerator
        if self.by_days:
            product *= days
        # Half-up for a non-negative product, as `round_half_up_ratio`.
        return (2 * product + self.denominator) // (2 * self.denominator)


def equal_installment_fen(principal_fen: int, rate: InterestRate, term: int, unit_fen: int) -> int:
    """M = P·i·(1+i)^n / ((1+i)^n − 1) in fen, the exact value rounded half-up once to the
    unit; i = annual / 12, or daily × 30 for a daily rate."""
    numerator, denominator = rate.monthly_ratio
    if numerator == 0:
        return round_half_up_ratio(principal_fen, term * unit_fen) * unit_fen
    growth = (denominator + numerator) ** term
    base = denominator**term
    return (
        round_half_up_ratio(
            principal_fen * numerator * growth, denominator * (growth - base) * unit_fen
        )
        * unit_fen
    )


def equal_principal_fen(principal_fen: int, term: int, unit_fen: int) -> int:
    """The principal part of every row but the last: P / n rounded half-up to the unit."""
    return round_half_up_ratio(principal_fen, term * unit_fen) * unit_fen


def fixed_part_fen(
    principal_fen: int, term: int, method: RepaymentMethod, rate: InterestRate, unit_fen: int
) -> int:
    """What stays the same on every row but the last: the installment (equal installment)
    or the principal part (equal principal), rounded to the unit."""
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        return equal_installment_fen(principal_fen, rate, term, unit_fen)
    return equal_principal_fen(principal_fen, term, unit_fen)


def schedule_rows_fen(
    principal_fen: int,
    method: RepaymentMethod,
    interest: RowInterest,
    days: Sequence[int],
    fixed_fen: int,
) -> list[tuple[int, int]]:
    """(principal, interest) of each row in fen. Every row before the last repays some
    principal and leaves some for the last (else `schedule_not_representable`); the last
    row takes what is left, so the balance ends at exactly 0."""
    term = len(days)
    rows: list[tuple[int, int]] = []
    balance = principal_fen
    equal_installment = method is RepaymentMethod.EQUAL_INSTALLMENT
    # RowInterest.fen inlined: this loop is the product check's inner loop.
    numerator, twice_denominator = interest.numerator, 2 * interest.denominator
    by_days = interest.by_days
    for number, row_days in enumerate(days, start=1):
        product = balance * numerator * row_days if by_days else balance * numerator
        row_interest = (2 * product + interest.denominator) // twice_denominator
        if number == term:
            part = balance
        else:
            part = fixed_fen - row_interest if equal_installment else fixed_fen
            if not 0 < part < balance:
                raise ScheduleError(NOT_REPRESENTABLE, "schedule_not_representable")
        rows.append((part, row_interest))
        balance -= part
    return rows


def equal_installment_amount(principal: Decimal, monthly_rate: Decimal, term: int) -> Decimal:
    """M = P·i·(1+i)^n / ((1+i)^n − 1), unrounded (to 40 significant digits)."""
    numerator, denominator = ratio(monthly_rate)
    p_num, p_den = ratio(principal)
    with money_context():
        if numerator == 0:
            return principal / term
        growth = (denominator + numerator) ** term
        base = denominator**term
        return Decimal(p_num * numerator * growth) / Decimal(p_den * denominator * (growth - base))


def validate_amounts(principal: Decimal, term: int, rate: InterestRate, unit: Decimal) -> None:
    """The checks every schedule's inputs pass, each with its own code."""
    if not principal.is_finite() or principal <= 0:
        raise ScheduleError("The principal must be greater than zero.", "principal_not_positive")
    if not is_whole_fen(principal):
        raise ScheduleError("The principal has more than two decimal places.", "principal_invalid")
    if term < 1:
        raise ScheduleError("The term must be at least one period.", "term_out_of_range")
    if not rate.value.is_finite() or rate.value < 0:
        raise ScheduleError("The interest rate cannot be negative.", "rate_negative")
    if not unit.is_finite() or unit <= 0 or not is_whole_fen(unit):
        raise ScheduleError(
            "The installment rounding unit must be a positive amount in fen.",
            "installment_rounding_invalid",
        )


def build_schedule(
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
    """The full schedule of a loan.

    Each row's interest is the exact product rounded half-up to the fen when the row is
    computed; the equal installment (or the equal-principal part) is rounded to
    `rounding_unit`; the last row takes whatever principal is left so the balance ends at
    exactly 0.00. A combination that would give a row before the last with no principal
    (or with all of it) is refused with `schedule_not_representable`.
    """
    validate_amounts(principal, term, rate, rounding_unit)
    principal = from_fen(to_fen(principal))  # "1E+4" is 10000.00
    dates = contract_due_dates(
        start_date=start_date,
        basis=rate.basis,
        term=term,
        first_due_date=first_due_date,
        rule=due_date_rule,
    )
    if dates[0] <= start_date:
        raise ScheduleError("The first due date must be after the start date.", "first_due_date")
    method = RepaymentMethod(method)
    starts = [start_date, *dates[:-1]]
    days = [(due - begin).days for begin, due in zip(starts, dates, strict=True)]
    principal_fen = to_fen(principal)
    unit_fen = to_fen(rounding_unit)
    fixed = fixed_part_fen(principal_fen, term, method, rate, unit_fen)
    rows_fen = schedule_rows_fen(principal_fen, method, RowInterest.of(rate), days, fixed)

    rows: list[Installment] = []
    balance = principal_fen
    for number, ((part, interest), begin, due, row_days) in enumerate(
        zip(rows_fen, starts, dates, days, strict=True), start=1
    ):
        rows.append(
            Installment(
                number=number,
                period_start_date=begin,
                due_date=due,
                days=row_days,
                opening_balance=from_fen(balance),
                principal=from_fen(part),
                interest=from_fen(interest),
                balance=from_fen(balance - part),
            )
        )
        balance -= part

    irr = annualized_irr_on_dates(
        principal=principal,
        basis=rate.basis,
        start_date=start_date,
        payments=[(row.due_date, row.total) for row in rows],
    )
    return Schedule(
        principal=principal,
        rate=rate,
        method=method,
        start_date=start_date,
        installments=tuple(rows),
        annualized_rate_simple=disclosed_rate(rate.simple_annual),
        annualized_rate_irr=disclosed_rate(irr),
    )
