"""Credit scoring of a completed profile: a pure function of the facts and the policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from common.money import money_context, round_money, round_rate

LIMIT_UNIT = Decimal("100")


@dataclass(frozen=True)
class ScoringFacts:
    birth_date: dt.date
    has_email: bool
    joined_on: dt.date
    settled_loans: int
    overdue_loans: int


@dataclass(frozen=True)
class ScoringPolicy:
    base_score: int
    prime_age_min: int
    prime_age_max: int
    prime_age_points: int
    email_points: int
    tenure_days: int
    tenure_points: int
    settled_loan_points: int
    settled_loan_points_cap: int
    overdue_loan_points: int
    min_score: int
    best_rate_score: int
    base_limit: Decimal
    limit_per_point: Decimal


@dataclass(frozen=True)
class CreditOffer:
    score: int
    limit: Decimal
    daily_rate: Decimal


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def credit_score(facts: ScoringFacts, policy: ScoringPolicy, *, on: dt.date) -> int:
    score = policy.base_score
    if policy.prime_age_min <= age_on(facts.birth_date, on) <= policy.prime_age_max:
        score += policy.prime_age_points
    if facts.has_email:
        score += policy.email_points
    if (on - facts.joined_on).days >= policy.tenure_days:
        score += policy.tenure_points
    score += min(facts.settled_loans * policy.settled_loan_points, policy.settled_loan_points_cap)
    score -= facts.overdue_loans * policy.overdue_loan_points
    return max(score, 0)


def credit_offer(
    facts: ScoringFacts,
    policy: ScoringPolicy,
    *,
    on: dt.date,
    limit_range: tuple[Decimal, Decimal],
    rate_range: tuple[Decimal, Decimal],
) -> CreditOffer | None:
    """The line a profile earns, or None below the policy's minimum score."""
    score = credit_score(facts, policy, on=on)
    if score < policy.min_score:
        return None
    above = score - policy.min_score
    lowest_limit, highest_limit = limit_range
    lowest_rate, highest_rate = rate_range
    with money_context():
        limit = round_money(policy.base_limit + above * policy.limit_per_point, LIMIT_UNIT)
        limit = min(max(limit, lowest_limit), highest_limit)
        span = policy.best_rate_score - policy.min_score
        progress = min(Decimal(above) / span, Decimal(1))
        rate = round_rate(highest_rate - (highest_rate - lowest_rate) * progress, 6)
    return CreditOffer(score=score, limit=limit, daily_rate=rate)
