"""Re-amortization after a partial prepayment and the prepayment fee (DOMAIN.md §5): the
check row by row, worked cases for equal principal and a second prepayment, and properties."""

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loans.schedule import (
    InterestRate,
    RateBasis,
    RepaymentMethod,
    ScheduleError,
    add_months,
    build_schedule,
)
from loans.schedule.reamortize import (
    PrepaymentFeeKind,
    ReamortizationOption,
    loan_year,
    prepayment_fee,
    reamortize,
)

D = Decimal
EI = RepaymentMethod.EQUAL_INSTALLMENT
EP = RepaymentMethod.EQUAL_PRINCIPAL
KEEP_TERM = ReamortizationOption.KEEP_TERM
KEEP_INSTALLMENT = ReamortizationOption.KEEP_INSTALLMENT


def _half_up(value: Fraction) -> Fraction:
    return Fraction(int(value * 100 + Fraction(1, 2)), 100)


@pytest.fixture(scope="module")
def mortgage():
    # DOMAIN.md §5: 500,000.00 at 4.2% over 240 months.
    return build_schedule(
        principal=D("500000.00"),
        term=240,
        method=EI,
        rate=InterestRate.annual(D("0.042")),
        start_date=dt.date(2024, 3, 10),
    )


def _check_rows(result, remaining, installment, monthly):
    """Every row by DOMAIN.md §3: interest = round(B·i), principal = M − interest, the last
    row the rest, balances chained to 0."""
    balance = Fraction(remaining)
    for k, row in enumerate(result.installments):
        assert Fraction(row.opening_balance) == balance
        assert Fraction(row.interest) == _half_up(balance * monthly)
        if k < len(result.installments) - 1:
            assert row.total == installment
        else:
            assert Fraction(row.principal) == balance
        balance -= Fraction(row.principal)
        assert Fraction(row.balance) == balance
    assert balance == 0


def test_domain_check_before_the_prepayment(mortgage):
    rows = mortgage.installments
    assert rows[0].total == D("3082.85")
    assert rows[17].balance == D("475281.46")
    assert sum(row.interest for row in rows[18:]) == D("209112.63")


def test_domain_check_keep_the_term(mortgage):
    remaining = mortgage.installments[17].balance - D("50000.00")
    assert remaining == D("425281.46")
    result = reamortize(
        remaining_principal=remaining,
        remaining_rows=mortgage.installments[18:],
        method=EI,
        rate=mortgage.rate,
        option=KEEP_TERM,
    )
    rows = result.installments
    assert len(rows) == 222
    assert [row.number for row in rows] == list(range(19, 241))
    assert [row.due_date for row in rows] == [r.due_date for r in mortgage.installments[18:]]
    assert rows[0].period_start_date == mortgage.installments[17].due_date
    assert result.fixed_amount == D("2758.54")
    assert {row.total for row in rows[:-1]} == {D("2758.54")}
    assert rows[-1].total == D("2756.91")
    assert result.interest == D("187112.79")
    assert result.interest_before == D("209112.63")
    assert result.interest_saved == D("21999.84")
    _check_rows(result, remaining, D("2758.54"), Fraction(42, 12000))


def test_domain_check_keep_the_installment(mortgage):
    remaining = D("425281.46")
    result = reamortize(
        remaining_principal=remaining,
        remaining_rows=mortgage.installments[18:],
        method=EI,
        rate=mortgage.rate,
        option=KEEP_INSTALLMENT,
    )
    rows = result.installments
    assert len(rows) == 189
    assert rows[0].number == 19
    assert rows[-1].number == 207
    assert rows[-1].due_date == add_months(dt.date(2024, 3, 10), 207)
    assert {row.total for row in rows[:-1]} == {D("3082.85")}
    assert rows[-1].total == D("2231.64")
    assert result.interest == D("156525.98")
    assert result.interest_saved == D("52586.65")
    _check_rows(result, remaining, D("3082.85"), Fraction(42, 12000))


@pytest.fixture(scope="module")
def equal_principal_loan():
    # 300,000.00 at 4.9% over 120 months, equal principal: 2,500.00 of principal a month.
    return build_schedule(
        principal=D("300000.00"),
        term=120,
        method=EP,
        rate=InterestRate.annual(D("0.049")),
        start_date=dt.date(2024, 1, 31),
    )


def test_equal_principal_keep_the_term(equal_principal_loan):
    rows_before = equal_principal_loan.installments[24:]
    assert equal_principal_loan.installments[23].balance == D("240000.00")
    # 50,000.00 prepaid with the 24th installment leaves 190,000.00 over 96 rows.
    result = reamortize(
        remaining_principal=D("190000.00"),
        remaining_rows=rows_before,
        method=EP,
        rate=equal_principal_loan.rate,
        option=KEEP_TERM,
    )
    rows = result.installments
    assert len(rows) == 96
    assert result.fixed_amount == D("1979.17")  # 190,000 / 96 = 1,979.1666…
    assert {row.principal for row in rows[:-1]} == {D("1979.17")}
    assert rows[-1].principal == D("1978.85")  # 190,000 − 95 × 1,979.17
    assert rows[0].interest == D("775.83")  # 190,000 × 4.9% / 12 = 775.833…
    assert rows[1].interest == D("767.75")  # 188,020.83 × 4.9% / 12 = 767.751…
    assert [row.due_date for row in rows] == [row.due_date for row in rows_before]
    expected = sum(
        _half_up((Fraction(190000) - k * Fraction("1979.17")) * Fraction(49, 12000))
        for k in range(96)
    )
    assert Fraction(result.interest) == expected
    assert result.interest_saved == result.interest_before - result.interest > 0


def test_equal_principal_keep_the_installment_keeps_the_principal_part(equal_principal_loan):
    rows_before = equal_principal_loan.installments[24:]
    result = reamortize(
        remaining_principal=D("190000.00"),
        remaining_rows=rows_before,
        method=EP,
        rate=equal_principal_loan.rate,
        option=KEEP_INSTALLMENT,
    )
    rows = result.installments
    # 190,000 / 2,500 = 76 rows of 2,500.00 principal: rows 25 to 100.
    assert len(rows) == 76
    assert (rows[0].number, rows[-1].number) == (25, 100)
    assert {row.principal for row in rows} == {D("2500.00")}
    assert rows[-1].interest == D("10.21")  # 2,500 × 4.9% / 12 = 10.208…
    # The interest before ran on 240,000 down to 2,500; after, on 190,000 down to 2,500.
    month = Fraction(49, 12000)
    assert Fraction(result.interest_before) == sum(_half_up(2500 * j * month) for j in range(1, 97))
    assert Fraction(result.interest) == sum(_half_up(2500 * j * month) for j in range(1, 77))


def test_a_second_prepayment_numbers_on_from_the_new_schedule(equal_principal_loan):
    first = reamortize(
        remaining_principal=D("190000.00"),
        remaining_rows=equal_principal_loan.installments[24:],
        method=EP,
        rate=equal_principal_loan.rate,
        option=KEEP_INSTALLMENT,
    )
    # Rows 25-36 paid as scheduled, then 30,000.00 more prepaid on the 36th due date, now
    # keeping the term of the shortened loan (row 100).
    paid, left = first.installments[:12], first.installments[12:]
    assert paid[-1].number == 36
    assert paid[-1].balance == D("160000.00")
    second = reamortize(
        remaining_principal=D("130000.00"),
        remaining_rows=left,
        method=EP,
        rate=equal_principal_loan.rate,
        option=KEEP_TERM,
    )
    rows = second.installments
    assert (rows[0].number, rows[-1].number, len(rows)) == (37, 100, 64)
    assert rows[0].period_start_date == paid[-1].due_date
    assert rows[0].due_date == add_months(dt.date(2024, 1, 31), 37)
    assert {row.principal for row in rows} == {D("2031.25")}  # 130,000 / 64 exactly
    assert rows[0].interest == D("530.83")  # 130,000 × 4.9% / 12 = 530.833…


def test_refusals(mortgage):
    rows = mortgage.installments[18:]
    for remaining, code in [
        (D("0.00"), "principal_not_positive"),
        (D("-1.00"), "principal_not_positive"),
        (D("0.001"), "principal_not_positive"),
        (D("475281.47"), "principal_above_balance"),
    ]:
        with pytest.raises(ScheduleError) as caught:
            reamortize(
                remaining_principal=remaining,
                remaining_rows=rows,
                method=EI,
                rate=mortgage.rate,
                option=KEEP_TERM,
            )
        assert caught.value.code == code
    with pytest.raises(ScheduleError) as caught:
        reamortize(
            remaining_principal=D("1000.00"),
            remaining_rows=[rows[0], rows[2]],
            method=EI,
            rate=mortgage.rate,
            option=KEEP_TERM,
        )
    assert caught.value.code == "rows_not_consecutive"


@st.composite
def loans_with_a_prepayment(draw):
    basis = draw(st.sampled_from(list(RateBasis)))
    method = draw(st.sampled_from(list(RepaymentMethod)))
    if basis is RateBasis.ANNUAL:
        rate = InterestRate.annual(draw(st.decimals(D("0.01"), D("0.15"), places=5)))
        term = draw(st.integers(min_value=3, max_value=360))
    else:
        rate = InterestRate.daily(draw(st.decimals(D("0.0001"), D("0.0005"), places=6)))
        term = draw(st.sampled_from([5, 10, 20]))
    principal = draw(st.integers(min_value=term * 100, max_value=5_000_000)) * D("1.00")
    schedule = build_schedule(
        principal=principal,
        term=term,
        method=method,
        rate=rate,
        start_date=draw(st.dates(dt.date(2023, 1, 1), dt.date(2030, 12, 31))),
    )
    paid = draw(st.integers(min_value=1, max_value=term - 2))
    balance = schedule.installments[paid - 1].balance
    prepaid = draw(st.decimals(D("0.00"), balance - D("0.01"), places=2))
    return schedule, paid, balance - prepaid


@settings(max_examples=80, deadline=None)
@given(loans_with_a_prepayment(), st.sampled_from(list(ReamortizationOption)))
def test_reamortized_rows_repay_the_rest_on_the_contract_dates(case, option):
    schedule, paid, remaining = case
    old = schedule.installments[paid:]
    try:
        result = reamortize(
            remaining_principal=remaining,
            remaining_rows=old,
            method=schedule.method,
            rate=schedule.rate,
            option=option,
        )
    except ScheduleError as exc:
        # Keeping the term on a tiny balance can leave rows without principal: refused.
        assert exc.code == "schedule_not_representable"
        assume(False)
    rows = result.installments
    assert sum(row.principal for row in rows) == remaining
    assert rows[-1].balance == D("0.00")
    assert all(row.principal > 0 for row in rows)
    assert [row.number for row in rows] == [row.number for row in old[: len(rows)]]
    assert [row.due_date for row in rows] == [row.due_date for row in old[: len(rows)]]
    for previous, row in itertools.pairwise(rows):
        assert row.opening_balance == previous.balance
    if option is KEEP_TERM:
        assert len(rows) == len(old)
    else:
        assert len(rows) <= len(old)
        assert result.interest <= result.interest_before


@settings(max_examples=60, deadline=None)
@given(loans_with_a_prepayment())
def test_keeping_the_installment_with_nothing_prepaid_changes_nothing(case):
    schedule, paid, _ = case
    old = schedule.installments[paid:]
    result = reamortize(
        remaining_principal=schedule.installments[paid - 1].balance,
        remaining_rows=old,
        method=schedule.method,
        rate=schedule.rate,
        option=KEEP_INSTALLMENT,
    )
    assert result.installments == tuple(old)
    assert result.interest_saved == D("0.00")


# --- The prepayment fee ------------------------------------------------------------------


def test_no_fee():
    assert prepayment_fee(kind="none", prepaid_principal=D("50000.00")) == D("0.00")


@pytest.mark.parametrize(
    ("chosen", "year", "fee"),
    [
        (dt.date(2025, 3, 9), 1, "1500.00"),  # 11 months: the first loan year, 3%
        (dt.date(2025, 3, 10), 2, "1000.00"),  # exactly 12 months: the second, 2%
        (dt.date(2026, 3, 10), 3, "500.00"),
        (dt.date(2030, 3, 10), 7, "500.00"),  # the last percentage for every later year
    ],
)
def test_percentage_fee_by_loan_year(chosen, year, fee):
    value_date = dt.date(2024, 3, 10)
    assert loan_year(value_date=value_date, on=chosen) == year
    assert prepayment_fee(
        kind=PrepaymentFeeKind.PERCENT_BY_LOAN_YEAR,
        prepaid_principal=D("50000.00"),
        percents_by_loan_year=[D("3"), D("2"), D("1")],
        value_date=value_date,
        chosen_date=chosen,
    ) == D(fee)


def test_one_months_interest_fee_is_the_exact_product():
    assert prepayment_fee(
        kind=PrepaymentFeeKind.ONE_MONTH_INTEREST,
        prepaid_principal=D("50000.00"),
        rate=InterestRate.annual(D("0.042")),
    ) == D("175.00")
    # 2,100.00 × 4.9% / 12 is exactly 8.575: 8.58.
    assert prepayment_fee(
        kind="one_month_interest",
        prepaid_principal=D("2100.00"),
        rate=InterestRate.annual(D("0.049")),
    ) == D("8.58")


def test_fee_terms_must_be_complete():
    with pytest.raises(ScheduleError):
        prepayment_fee(kind="percent_by_loan_year", prepaid_principal=D("100.00"))
    with pytest.raises(ScheduleError):
        prepayment_fee(kind="one_month_interest", prepaid_principal=D("100.00"))
    with pytest.raises(ValueError, match="fee"):
        prepayment_fee(kind="fee", prepaid_principal=D("100.00"))
