"""Template filters for money and rates: Decimal in, text out, half-up (never floats)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common.money import round_money, round_rate

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    """12345.6 → ¥12,345.60"""
    if value is None:
        return "–"
    amount = round_money(Decimal(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def percent(value: Decimal | None, places: int = 2) -> str:
    """0.184008 → 18.40%"""
    if value is None:
        return "–"
    return f"{round_rate(Decimal(value) * 100, int(places))}%"
