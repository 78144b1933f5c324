"""Template filters for loan rates. They live with the rate rules they apply
(`loans.schedule`); the plain money and percent filters are in `common` (`money`)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from loans.schedule import InterestRate

register = template.Library()


@register.filter
def daily_to_simple_annual(value: Decimal | None) -> Decimal | None:
    """A daily rate's simple annualized rate (× 360)."""
    return None if value is None else InterestRate.daily(Decimal(value)).simple_annual
