"""Amounts and rates as people and programs send them (DOMAIN.md §8)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.inputs import DecimalInputError, decimal_parse

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10000", D("10000")),
        ("10000.5", D("10000.5")),
        ("10000.50", D("10000.50")),
        (" 100.00 ", D("100.00")),
        ("-5.25", D("-5.25")),
        ("0", D("0")),
        (12, D(12)),
        (D("100.25"), D("100.25")),
        ("00012.30", D("12.30")),
    ],
)
def test_plain_ascii_decimals_are_read_exactly(value, expected):
    result = decimal_parse(value, places=2)
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("\uff11\uff10\uff10", "invalid"),  # full-width digits
        ("1\uff10\uff10", "invalid"),
        ("\u0661\u0660\u0660", "invalid"),  # Arabic-Indic digits
        ("1_000", "invalid"),
        ("1e30", "invalid"),
        ("1E3", "invalid"),
        (D("1E+3"), "invalid"),  # what the JSON number 1e3 becomes
        ("NaN", "invalid"),
        ("nan", "invalid"),
        ("Infinity", "invalid"),
        ("-Infinity", "invalid"),
        (D("NaN"), "invalid"),
        (D("Infinity"), "invalid"),
        ("+100", "invalid"),
        ("100.", "invalid"),
        (".5", "invalid"),
        ("1,000", "invalid"),
        ("", "invalid"),
        ("0x10", "invalid"),
        ("\u00a0100", "invalid"),  # a no-break space is not ASCII white space
        (True, "invalid"),
        (None, "invalid"),
        ([1], "invalid"),
        ("100.005", "too_many_places"),
        ("100.000", "too_many_places"),
        ("12345678901234567890123456.789", "too_many_places"),  # 29 digits, 3 places
        ("12345678901234567890123456.78", "too_many_digits"),
        ("1" * 15, "too_many_digits"),
        (10**14, "too_many_digits"),
        ("9" * 5000, "too_many_digits"),
    ],
)
def test_anything_else_is_refused_with_its_reason(value, code):
    with pytest.raises(DecimalInputError) as refused:
        decimal_parse(value, places=2)
    assert refused.value.code == code


def test_floats_are_refused():
    with pytest.raises(DecimalInputError):
        decimal_parse(0.1, places=2)  # float-ok: refused, its binary value is not 0.1


def test_the_largest_amount_that_fits_the_column_is_accepted():
    assert decimal_parse("99999999999999.99", places=2) == D("99999999999999.99")
    assert decimal_parse("9999.99999999", places=8, max_digits=12) == D("9999.99999999")
    with pytest.raises(DecimalInputError):
        decimal_parse("10000.0", places=8, max_digits=12)


@given(st.decimals(min_value=D("-1e13"), max_value=D("1e13"), places=2))
def test_every_amount_written_out_reads_back_exactly(value):
    assert decimal_parse(f"{value:f}", places=2) == value
