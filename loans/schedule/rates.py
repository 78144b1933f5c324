"""Annualized rates for disclosure (DOMAIN.md §2) and interest over a span of days.

The IRR of a loan is the rate r at which the cash flows' present value equals the principal:
Σ payment_k / (1 + r)^t_k = principal. Bank loans, whose periods are contract months, count
t_k in months (t_k = k) and disclose r × 12; daily-rate loans count t_k in days from the
value date to due date k, so a first period of 15 or 45 days weighs what it really is, and
disclose r × 365. The disclosed figure, and the comparison with the cap, is at 0.01% (four
places of the fraction)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal

from common.money import money_context, round_rate
from loans.schedule.exact import rounded_product
from loans.schedule.types import IRR_DAYS_PER_YEAR, MONTHS_PER_YEAR, RateBasis, ScheduleError

# Rates are disclosed and compared with the cap at 0.01%: four places of the fraction.
DISCLOSED_RATE_PLACES = 4
_IRR_TOLERANCE = Decimal("1e-24")
_IRR_MAX_ITERATIONS = 200


def irr(principal: Decimal, times: Sequence[int], payments: Sequence[Decimal]) -> Decimal:
    """The rate r per unit of time with principal = Σ payment_k / (1 + r)^times_k.

    The present value is convex and decreasing in r (every payment is positive), so Newton's
    method started below the root rises to it monotonically; it starts at 0, or at the flat
    rate when that is still below. All in `Decimal`."""
    if principal <= 0 or not payments or len(times) != len(payments):
        raise ScheduleError("An IRR needs a positive principal and payments.", "invalid_cash_flows")
    if any(p < 0 for p in payments) or any(t <= 0 for t in times):
        raise ScheduleError("An IRR needs positive payments after the start.", "invalid_cash_flows")
    total = sum(payments, Decimal(0))
    if total < principal:
        raise ScheduleError("Payments are less than the principal.", "invalid_cash_flows")
    with money_context():
        if total == principal:
            return Decimal(0)

        # Payments in time order: each discount factor is the previous one times v to the
        # gap, and the gaps of a schedule take only a few values (1 month, or 28-31 days).
        ordered = sorted(zip(times, payments, strict=True))
        gaps = [b - a for a, b in itertools.pairwise([0, *(t for t, _ in ordered)])]

        def npv_and_slope(rate: Decimal) -> tuple[Decimal, Decimal]:
            v = 1 / (1 + rate)
            powers: dict[int, Decimal] = {}
            factor = Decimal(1)
            npv = -principal
            slope = Decimal(0)
            for gap, (t, payment) in zip(gaps, ordered, strict=True):
                if gap not in powers:
                    powers[gap] = v**gap
                factor *= powers[gap]
                discounted = payment * factor
                npv += discounted
                slope -= t * discounted * v
            return npv, slope

        # The flat rate spread over the whole term is below the IRR of an amortizing loan.
        rate = (total - principal) / principal / max(times)
        npv, slope = npv_and_slope(rate)
        if npv < 0:
            rate = Decimal(0)
            npv, slope = npv_and_slope(rate)
        for _ in range(_IRR_MAX_ITERATIONS):
            step = npv / slope
            rate -= step
            if abs(step) < _IRR_TOLERANCE:
                return rate
            npv, slope = npv_and_slope(rate)
    raise ScheduleError("The IRR did not converge.", "irr_not_converged")


def periodic_irr(principal: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """The rate r per period with principal = Σ payment_k / (1 + r)^k (k = 1..n)."""
    return irr(principal, range(1, len(payments) + 1), payments)


def annualized_irr(principal: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """The periodic IRR of monthly cash flows × 12 (bank loans), unrounded."""
    with money_context():
        return periodic_irr(principal, payments) * MONTHS_PER_YEAR


def daily_irr(
    principal: Decimal, start_date: dt.date, payments: Sequence[tuple[dt.date, Decimal]]
) -> Decimal:
    """The daily rate r with principal = Σ payment_k / (1 + r)^t_k, t_k = days from the
    value date to due date k."""
    times = [(due - start_date).days for due, _ in payments]
    return irr(principal, times, [amount for _, amount in payments])


def annualized_irr_on_dates(
    *,
    principal: Decimal,
    basis: RateBasis,
    start_date: dt.date,
    payments: Sequence[tuple[dt.date, Decimal]],
) -> Decimal:
    """The annualized IRR on the actual dates (DOMAIN.md §2), unrounded: bank loans the
    monthly IRR × 12, daily-rate loans the daily IRR on day counts × 365."""
    with money_context():
        if basis is RateBasis.ANNUAL:
            return annualized_irr(principal, [amount for _, amount in payments])
        return daily_irr(principal, start_date, payments) * IRR_DAYS_PER_YEAR


def disclosed_rate(rate: Decimal) -> Decimal:
    """A rate as it is disclosed and compared with the cap: half-up at 0.01%."""
    return round_rate(rate, DISCLOSED_RATE_PLACES)


def interest_for_days(balance: Decimal, daily_rate: Decimal, days: int) -> Decimal:
    """Interest on `balance` over a span of `days`, the exact product rounded once. A span
    of 0 days owes nothing."""
    if days < 0:
        raise ScheduleError("A span cannot end before it starts.", "span_negative")
    return rounded_product(balance, daily_rate, days)


def interest_for_payoff_from_draw(balance: Decimal, daily_rate: Decimal, days: int) -> Decimal:
    """A micro-loan payoff measured from the draw: interest to the payoff day, at least one
    day's (DOMAIN.md §2: 10,000.00 at 0.05%/day paid off the next day owes 5.00). Only this
    rule has a minimum; any other span of 0 days owes 0."""
    if days < 0:
        raise ScheduleError("A payoff cannot be before the draw.", "span_negative")
    return rounded_product(balance, daily_rate, max(days, 1))
