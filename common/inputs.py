"""Reading amounts and rates that people and programs send (DOMAIN.md §8).

A decimal arrives as a string of ASCII digits, an optional minus sign and at most the
allowed number of places: "10000", "10000.5", "0.00050000". Everything else is refused
before it becomes a `Decimal`, because Python's own `Decimal()` is far more forgiving than
a lender may be: it reads full-width digits (U+FF10 to U+FF19), underscores ("1_000"), exponents
("1e30"), "NaN" and "Infinity", and then a 29-digit value with 3 places fails deep inside
the arithmetic instead of at the door.

`decimal_parse` is the one reader; the API's `DecimalStringField` and the pages'
`common.forms.DecimalInputField` both call it and turn its `code` into their message.
"""

from __future__ import annotations

import re
from decimal import Decimal

from common.money import MONEY_MAX_DIGITS

# ASCII only: `\d` would also match every other script's digits.
_DECIMAL = re.compile(r"-?(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?")
# Never more characters than any amount or rate we keep could need.
_MAX_LENGTH = 40
_ASCII_SPACE = " \t\r\n"


class DecimalInputError(ValueError):
    """Why a decimal input was refused. `code` is one of `invalid`, `too_many_places`
    and `too_many_digits`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def decimal_parse(value: object, *, places: int, max_digits: int = MONEY_MAX_DIGITS) -> Decimal:
    """The exact `Decimal` written in `value`, which is a string as described above (a
    JSON integer, or a JSON number already read as an exact `Decimal`, is read from its
    plain digits the same way). At most `places` digits after the point and at most
    `max_digits - places` before it."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        # Floats are refused too: their binary value is not the decimal that was written.
        raise DecimalInputError("invalid", "not a decimal string")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise DecimalInputError("invalid", "not a finite number")
        # JSON `1e3` is read as Decimal("1E+3"); its text is refused like the string "1e3".
        text = str(value)
    elif isinstance(value, int):
        if abs(value) >= 10 ** (max_digits - places):
            raise DecimalInputError("too_many_digits", "too many digits")
        text = str(value)
    else:
        text = value.strip(_ASCII_SPACE)
    if len(text) > _MAX_LENGTH:
        raise DecimalInputError("too_many_digits", "too many digits")
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise DecimalInputError("invalid", "not a decimal string")
    fraction = match.group("fraction") or ""
    if len(fraction) > places:
        raise DecimalInputError("too_many_places", "too many decimal places")
    if len(match.group("whole").lstrip("0")) > max_digits - places:
        raise DecimalInputError("too_many_digits", "too many digits")
    return Decimal(text)
