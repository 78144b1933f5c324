"""Money and rates: one field for each and one rounding helper with one rounding mode.

Amounts are CNY with two places (fen); rates are fractions with 8 places (0.00050000 is
0.05% a day). Decimals are always built from strings or ints, never from floats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any

from django.db import models

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_MAX_DIGITS = 16
RATE_MAX_DIGITS = 12
RATE_DECIMAL_PLACES = 8

# Enough precision for (1 + i) ** 360 and IRR iterations without loss at the fen.
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_UP)


def money_context() -> Any:
    """A local decimal context for intermediate money arithmetic."""
    return localcontext(_CONTEXT)


def round_money(value: Decimal, unit: Decimal = FEN) -> Decimal:
    """Round half-up (四舍五入) to `unit` (the fen unless a larger unit such as 1 yuan is
    asked for); the result always carries two places so it compares and prints as money."""
    if unit == FEN:
        return value.quantize(FEN, rounding=ROUND_HALF_UP)
    units = (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (units * unit).quantize(FEN, rounding=ROUND_HALF_UP)


def round_rate(value: Decimal, places: int = 6) -> Decimal:
    """Round a rate half-up for display or storage."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def parse_decimal(value: object) -> Decimal:
    """A Decimal from user input (a string or an int). Floats are refused: their binary
    value is not the decimal the user wrote."""
    if isinstance(value, bool | float):  # float-ok: refusing floats
        raise ValueError("Decimal values must be given as strings, not floating-point numbers.")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"{value!r} is not a number.") from exc
    else:
        raise ValueError(f"{value!r} is not a number.")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number.")
    return result


class MoneyField(models.DecimalField):  # type: ignore[type-arg]
    """An amount of CNY with two places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key, default in (("max_digits", MONEY_MAX_DIGITS), ("decimal_places", 2)):
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs


class RateField(models.DecimalField):  # type: ignore[type-arg]
    """An interest rate as a fraction (0.0435 is 4.35%), eight places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", RATE_MAX_DIGITS)
        kwargs.setdefault("decimal_places", RATE_DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key, default in (
            ("max_digits", RATE_MAX_DIGITS),
            ("decimal_places", RATE_DECIMAL_PLACES),
        ):
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs
