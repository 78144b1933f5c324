"""Annualized rates for disclosure and interest to the day."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from common.money import money_context, round_money
from loans.schedule.types import MONTHS_PER_YEAR, ScheduleError

_IRR_TOLERANCE = Decimal("1e-20")
_IRR_MAX_ITERATIONS = 100


def periodic_irr(principal: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """The rate r per period with principal = Σ payment_k / (1 + r)^k (k = 1..n).

    Newton's method from a guess near the answer; the NPV of a loan is convex and
    decreasing in r, so Newton from below converges monotonically. All in Decimal."""
    if principal <= 0 or not payments:
        raise ScheduleError("An IRR needs a positive principal and payments.", "invalid_cash_flows")
    total = sum(payments, Decimal(0))
    if total < principal:
        raise ScheduleError("Payments are less than the principal.", "invalid_cash_flows")
    with money_context():
        if total == principal:
            return Decimal(0)
        n = len(payments)
        # A flat-rate guess, which is below the true rate: Newton then rises to it.
        rate = (total - principal) / principal / n
        for _ in range(_IRR_MAX_ITERATIONS):
            discount = 1 / (1 + rate)
            factor = discount
            npv = -principal
            derivative = Decimal(0)
            for k, payment in enumerate(payments, start=1):
                npv += payment * factor
                derivative -= k * payment * factor * discount
                factor *= discount
            step = npv / derivative
            rate -= step
            if abs(step) < _IRR_TOLERANCE:
                return rate
    raise ScheduleError("The IRR did not converge.", "irr_not_converged")


def annualized_irr(principal: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """The periodic IRR of monthly cash flows × 12 (the annualized rate disclosed)."""
    with money_context():
        return periodic_irr(principal, payments) * MONTHS_PER_YEAR


def interest_for_days(balance: Decimal, daily_rate: Decimal, days: int) -> Decimal:
    """Interest on `balance` over a span of days, computed on the whole span and rounded
    once. A payoff owes at least one day (DOMAIN.md §2)."""
    with money_context():
        return round_money(balance * daily_rate * max(days, 1))
