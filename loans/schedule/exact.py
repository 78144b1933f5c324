"""Exact money arithmetic: a rate applied as an exact product, rounded once (DOMAIN.md §1).

Every amount of interest, penalty or compound interest is a product of decimals divided by
a small whole number (balance × annual / 12, balance × annual / 360 × days, balance × daily
× days). A `Decimal` division by 12 or 360 is rounded to the context's precision before the
final rounding to the fen, so a product that is exactly half a fen can land just below the
half and round down (2,100.00 × 4.9% / 12 = 8.575 exactly, 8.57499… after a 40-digit
division). Here the product is kept as a ratio of integers and rounded half-up once, with
integer arithmetic, so the result is the exact half-up rounding of the true product.

The same helpers work on amounts in fen (`int`) for the engine's inner loops.
"""

from __future__ import annotations

from decimal import Decimal

from common.money import FEN

_FEN_PER_YUAN = 100


def ratio(value: Decimal | int) -> tuple[int, int]:
    """`value` as an exact integer ratio (numerator, denominator > 0)."""
    if isinstance(value, int):
        return value, 1
    if not value.is_finite():
        raise ValueError(f"{value!r} is not a finite number.")
    numerator, denominator = value.as_integer_ratio()
    return numerator, denominator


def round_half_up_ratio(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero to a whole number (the rule of
    `ROUND_HALF_UP` in `decimal`), exactly."""
    if denominator <= 0:
        raise ValueError("The denominator must be positive.")
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def to_fen(amount: Decimal) -> int:
    """An amount of money with at most two places, in fen. More places are an error: money
    in this engine is always whole fen."""
    numerator, denominator = ratio(amount)
    fen, remainder = divmod(numerator * _FEN_PER_YUAN, denominator)
    if remainder:
        raise ValueError(f"{amount} is not a whole number of fen.")
    return fen


def is_whole_fen(amount: Decimal) -> bool:
    """Whether `amount` is finite and has no more than two places (trailing zeros aside)."""
    if not amount.is_finite():
        return False
    numerator, denominator = ratio(amount)
    return numerator * _FEN_PER_YUAN % denominator == 0


def from_fen(fen: int) -> Decimal:
    """Whole fen as money: always two places, never an exponent."""
    return Decimal(fen).scaleb(-2)


def rounded_product(*factors: Decimal | int, divisor: int = 1, unit: Decimal = FEN) -> Decimal:
    """round_half_up(Π factors / divisor) to `unit` (the fen unless told otherwise), computed
    exactly: the product is never rounded before the end.

    `rounded_product(balance, annual_rate, divisor=12)` is a bank month's interest;
    `rounded_product(balance, daily_rate, days)` a micro-loan span's interest."""
    numerator, denominator = 1, divisor
    for factor in factors:
        n, d = ratio(factor)
        numerator *= n
        denominator *= d
    unit_fen = to_fen(unit)
    if unit_fen <= 0:
        raise ValueError("The rounding unit must be positive.")
    units = round_half_up_ratio(numerator * _FEN_PER_YUAN, denominator * unit_fen)
    return from_fen(units * unit_fen)
