from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.money import parse_decimal, round_money

D = Decimal


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("0.005", "0.01", "0.01"),
        ("0.004", "0.01", "0.00"),
        ("2.675", "0.01", "2.68"),  # a float would give 2.67
        ("-0.005", "0.01", "-0.01"),
        ("853.0973", "1", "853.00"),
        ("853.5", "1", "854.00"),
        ("12.34", "0.10", "12.30"),
        ("12.35", "0.10", "12.40"),
    ],
)
def test_round_money_is_half_up(value, unit, expected):
    assert round_money(D(value), D(unit)) == D(expected)
    assert str(round_money(D(value), D(unit))) == expected


def test_parse_decimal_refuses_floats_and_garbage():
    assert parse_decimal("10000.00") == D("10000.00")
    assert parse_decimal(12) == D(12)
    for bad in (0.1, True, "abc", "NaN", "Infinity", None, [1]):  # float-ok: refused
        with pytest.raises(ValueError):  # noqa: PT011
            parse_decimal(bad)


@given(st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=6))
def test_round_money_is_within_half_a_fen(value):
    rounded = round_money(value)
    assert abs(rounded - value) <= D("0.005")
    assert rounded == rounded.quantize(D("0.01"))


def test_money_code_has_no_floats():
    from common.lint import _python_files, float_uses

    problems = [p for path in _python_files() for p in float_uses(path)]
    assert problems == []
