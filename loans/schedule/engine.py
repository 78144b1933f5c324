"""Building a repayment schedule (DOMAIN.md §3). Pure functions: no database, no clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from common.money import FEN, money_context, round_money, round_rate
from loans.schedule.dates import add_months, default_first_due_date, due_dates
from loans.schedule.rates import annualized_irr
from loans.schedule.types import (
    DueDateRule,
    Installment,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    Schedule,
    ScheduleError,
)

ANNUALIZED_RATE_PLACES = 6


def equal_installment_amount(principal: Decimal, monthly_rate: Decimal, term: int) -> Decimal:
    """M = P·i·(1+i)^n / ((1+i)^n − 1), unrounded."""
    with money_context():
        if monthly_rate == 0:
            return principal / term
        growth = (1 + monthly_rate) ** term
        return principal * monthly_rate * growth / (growth - 1)


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

    Each row's interest is rounded half-up to the fen when the row is computed; the
    equal-installment amount (or the equal-principal part) is rounded to `rounding_unit`;
    the last row takes whatever principal is left so the balance ends at exactly 0.00.
    """
    if principal <= 0:
        raise ScheduleError("The principal must be greater than zero.", "principal_not_positive")
    if principal != round_money(principal):
        raise ScheduleError("The principal has more than two decimal places.", "principal_invalid")
    if term < 1:
        raise ScheduleError("The term must be at least one period.", "term_out_of_range")
    if rate.value < 0:
        raise ScheduleError("The interest rate cannot be negative.", "rate_negative")
    if rounding_unit <= 0 or rounding_unit != round_money(rounding_unit):
        raise ScheduleError(
            "The installment rounding unit must be a positive amount in fen.",
            "installment_rounding_invalid",
        )
    if first_due_date is None and rate.basis is RateBasis.ANNUAL:
        # Bank loans fall due monthly from the contract date: counted from the start so a
        # contract of 31 January is due 29 February, then 31 March, 30 April, ...
        dates = [add_months(start_date, k) for k in range(1, term + 1)]
    else:
        first_due = first_due_date or default_first_due_date(start_date, rate.basis, due_date_rule)
        if first_due <= start_date:
            raise ScheduleError(
                "The first due date must be after the start date.", "first_due_date"
            )
        dates = due_dates(first_due, term)

    method = RepaymentMethod(method)
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        fixed = round_money(equal_installment_amount(principal, rate.monthly, term), rounding_unit)
    else:
        with money_context():
            fixed = round_money(principal / term, rounding_unit)

    rows: list[Installment] = []
    balance = principal
    period_start = start_date
    for number, due_date in enumerate(dates, start=1):
        days = (due_date - period_start).days
        interest = rate.period_interest(balance, days)
        if number == term:
            principal_part = balance
        elif method is RepaymentMethod.EQUAL_INSTALLMENT:
            principal_part = fixed - interest
        else:
            principal_part = fixed
        if principal_part < 0 or (number < term and principal_part > balance):
            raise ScheduleError(
                "The amount is too small to repay over this many periods with this "
                "rounding: choose a larger amount, a shorter term or rounding to the fen.",
                "schedule_not_representable",
            )
        closing = balance - principal_part
        rows.append(
            Installment(
                number=number,
                period_start_date=period_start,
                due_date=due_date,
                days=days,
                opening_balance=balance,
                principal=principal_part,
                interest=interest,
                balance=closing,
            )
        )
        balance = closing
        period_start = due_date

    irr = annualized_irr(principal, [row.total for row in rows])
    return Schedule(
        principal=principal,
        rate=rate,
        method=method,
        start_date=start_date,
        installments=tuple(rows),
        annualized_rate_simple=round_rate(rate.simple_annual, ANNUALIZED_RATE_PLACES),
        annualized_rate_irr=round_rate(irr, ANNUALIZED_RATE_PLACES),
    )
