"""The schedule engine against DOMAIN.md §3's check figures, other published schedules, and
properties that must hold for any input."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loans.schedule import (
    DueDateRule,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    ScheduleError,
    build_schedule,
    default_first_due_date,
    due_dates,
    first_due_date_on_repayment_day,
    interest_for_days,
    periodic_irr,
    repayment_day_for_first_draw,
)

D = Decimal
EI = RepaymentMethod.EQUAL_INSTALLMENT
EP = RepaymentMethod.EQUAL_PRINCIPAL


def test_equal_installment_check_figures():
    schedule = build_schedule(
        principal=D("10000"),
        term=12,
        method=EI,
        rate=InterestRate.annual(D("0.0435")),
        start_date=dt.date(2024, 1, 15),
    )
    rows = schedule.installments
    assert rows[0].total == D("853.10")
    assert rows[0].interest == D("36.25")
    assert rows[0].principal == D("816.85")
    assert all(row.total == D("853.10") for row in rows[:-1])
    assert rows[-1].total == D("853.09")
    assert schedule.total_interest == D("237.19")
    assert rows[-1].balance == D("0.00")


def test_equal_principal_check_figures():
    schedule = build_schedule(
        principal=D("30000"),
        term=24,
        method=EP,
        rate=InterestRate.annual(D("0.06")),  # 0.5% a month
        start_date=dt.date(2024, 1, 15),
    )
    rows = schedule.installments
    assert rows[0].total == D("1400.00")
    assert rows[1].total == D("1393.75")
    assert rows[14].total == D("1312.50")
    assert rows[-1].balance == D("0.00")


def test_micro_loan_daily_interest_check_figures():
    schedule = build_schedule(
        principal=D("2500"),
        term=5,
        method=EP,
        rate=InterestRate.daily(D("0.0005")),
        start_date=dt.date(2024, 5, 10),
    )
    assert [row.days for row in schedule.installments] == [31, 30, 31, 31, 30]
    assert [row.interest for row in schedule.installments] == [
        D("38.75"),
        D("30.00"),
        D("23.25"),
        D("15.50"),
        D("7.50"),
    ]
    assert [row.principal for row in schedule.installments] == [D("500.00")] * 5
    assert schedule.first_due_date == dt.date(2024, 6, 10)


def test_payoff_interest_check_figures():
    assert interest_for_days(D("10000"), D("0.0005"), 20) == D("100.00")
    assert interest_for_days(D("10000"), D("0.0005"), 1) == D("5.00")
    # Paid off the same day still owes the minimum of one day.
    assert interest_for_days(D("10000"), D("0.0005"), 0) == D("5.00")


def test_equal_installment_matches_the_published_mortgage_figure():
    # The widely published 1,000,000 over 30 years at 4.9%: 5,307.27 a month, the first
    # month's interest 4,083.33.
    schedule = build_schedule(
        principal=D("1000000"),
        term=360,
        method=EI,
        rate=InterestRate.annual(D("0.049")),
        start_date=dt.date(2024, 3, 1),
    )
    rows = schedule.installments
    assert rows[0].total == D("5307.27")
    assert rows[0].interest == D("4083.33")
    assert rows[0].principal == D("1223.94")
    assert rows[-1].balance == D("0.00")


def test_equal_principal_matches_the_published_mortgage_figure():
    # The same mortgage repaid by equal principal: 6,861.11 in the first month, each month
    # 11.34 less.
    schedule = build_schedule(
        principal=D("1000000"),
        term=360,
        method=EP,
        rate=InterestRate.annual(D("0.049")),
        start_date=dt.date(2024, 3, 1),
    )
    rows = schedule.installments
    assert rows[0].total == D("6861.11")
    assert rows[0].total - rows[1].total == D("11.34")
    assert rows[-1].balance == D("0.00")


def test_amount_too_small_for_the_term_is_refused_rather_than_overpaid():
    # 100 over 252 months: 0.40 a month would repay 100.40 before the last row.
    with pytest.raises(ScheduleError) as caught:
        build_schedule(
            principal=D("100"),
            term=252,
            method=EP,
            rate=InterestRate.annual(D("0.05")),
            start_date=dt.date(2024, 1, 1),
        )
    assert caught.value.code == "schedule_not_representable"


def test_whole_yuan_rounding_last_row_absorbs_the_difference():
    schedule = build_schedule(
        principal=D("10000"),
        term=12,
        method=EI,
        rate=InterestRate.annual(D("0.0435")),
        start_date=dt.date(2024, 1, 15),
        rounding_unit=D("1"),
    )
    rows = schedule.installments
    assert all(row.total == D("853.00") for row in rows[:-1])
    assert rows[-1].balance == D("0.00")
    assert sum(row.principal for row in rows) == D("10000")
    # 11 × 853.00 paid; the last row carries what is left of principal plus its interest.
    assert rows[-1].total == rows[-1].principal + rows[-1].interest
    assert rows[-1].principal == D("10000") - sum(row.principal for row in rows[:-1])


def test_annualized_rates():
    bank = build_schedule(
        principal=D("10000"),
        term=12,
        method=EI,
        rate=InterestRate.annual(D("0.0435")),
        start_date=dt.date(2024, 1, 15),
    )
    assert bank.annualized_rate_simple == D("0.043500")
    assert bank.annualized_rate_irr == D("0.043500")
    micro = build_schedule(
        principal=D("2500"),
        term=5,
        method=EP,
        rate=InterestRate.daily(D("0.0005")),
        start_date=dt.date(2024, 5, 10),
    )
    assert micro.annualized_rate_simple == D("0.180000")
    # Actual-day months are longer than 30 days, so the IRR is above the simple rate.
    assert D("0.18") < micro.annualized_rate_irr < D("0.19")


def test_periodic_irr_solves_the_present_value_equation():
    payments = [D("853.10")] * 11 + [D("853.09")]
    rate = periodic_irr(D("10000"), payments)
    present_value = sum(p / (1 + rate) ** k for k, p in enumerate(payments, start=1))
    assert abs(present_value - D("10000")) < D("0.000001")


def test_first_draw_due_dates():
    rule = DueDateRule()
    assert repayment_day_for_first_draw(dt.date(2024, 1, 15), rule) == 15
    assert default_first_due_date(dt.date(2024, 1, 15), RateBasis.DAILY, rule) == dt.date(
        2024, 2, 15
    )
    # A first draw on the 29th-31st repays on the 21st, at least 15 days later.
    assert repayment_day_for_first_draw(dt.date(2024, 1, 30), rule) == 21
    assert default_first_due_date(dt.date(2024, 1, 30), RateBasis.DAILY, rule) == dt.date(
        2024, 2, 21
    )
    assert default_first_due_date(dt.date(2024, 3, 29), RateBasis.DAILY, rule) == dt.date(
        2024, 4, 21
    )


def test_later_draw_first_due_is_the_first_repayment_day_15_days_out():
    rule = DueDateRule()
    assert first_due_date_on_repayment_day(dt.date(2024, 1, 15), 21, rule) == dt.date(2024, 2, 21)
    assert first_due_date_on_repayment_day(dt.date(2024, 1, 5), 21, rule) == dt.date(2024, 1, 21)
    assert first_due_date_on_repayment_day(dt.date(2024, 1, 7), 21, rule) == dt.date(2024, 2, 21)
    assert first_due_date_on_repayment_day(dt.date(2024, 12, 20), 10, rule) == dt.date(2025, 1, 10)


def test_bank_loan_due_dates_clamp_to_month_end_without_drifting():
    assert default_first_due_date(dt.date(2024, 1, 31), RateBasis.ANNUAL, DueDateRule()) == (
        dt.date(2024, 2, 29)
    )
    assert due_dates(dt.date(2024, 1, 31), 4) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
    ]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"principal": D("0")}, "principal_not_positive"),
        ({"principal": D("-5")}, "principal_not_positive"),
        ({"principal": D("100.001")}, "principal_invalid"),
        ({"term": 0}, "term_out_of_range"),
        ({"first_due_date": dt.date(2024, 1, 1)}, "first_due_date"),
        ({"principal": D("10"), "rounding_unit": D("1")}, "schedule_not_representable"),
    ],
)
def test_invalid_inputs_are_refused(kwargs, code):
    arguments = {
        "principal": D("1000"),
        "term": 12,
        "method": EI,
        "rate": InterestRate.annual(D("0.0435")),
        "start_date": dt.date(2024, 1, 1),
        **kwargs,
    }
    with pytest.raises(ScheduleError) as caught:
        build_schedule(**arguments)
    assert caught.value.code == code


annual_rates = st.decimals(min_value=D("0.001"), max_value=D("0.24"), places=4)
daily_rates = st.decimals(min_value=D("0.00005"), max_value=D("0.00065"), places=5)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


@st.composite
def schedules(draw):
    basis = draw(st.sampled_from(list(RateBasis)))
    rate = (
        InterestRate.annual(draw(annual_rates))
        if basis is RateBasis.ANNUAL
        else InterestRate.daily(draw(daily_rates))
    )
    method = draw(st.sampled_from(list(RepaymentMethod)))
    # Equal installments at a daily rate over decades pay almost only interest, and a 31-day
    # month's interest can exceed the installment (refused as not representable); daily
    # rates are for credit-line draws of a few months to a few years.
    longest = 36 if (basis is RateBasis.DAILY and method is EI) else 360
    term = draw(st.integers(min_value=1, max_value=longest))
    # Rounding each row can overshoot the principal when it is tiny against the term, and
    # an installment rounded to a coarse unit compounds into an early payoff on long loans
    # (both refused with `schedule_not_representable`, tested above); stay clear of that.
    unit = draw(
        st.sampled_from([D("0.01"), D("0.10"), D("1.00")]) if term <= 36 else st.just(D("0.01"))
    )
    smallest = max(D("100"), unit * term * term * (10 if unit > D("0.01") else 1))
    principal = draw(st.decimals(min_value=smallest, max_value=smallest + D("5000000"), places=2))
    try:
        schedule = build_schedule(
            principal=principal,
            term=term,
            method=method,
            rate=rate,
            start_date=draw(dates),
            rounding_unit=unit,
        )
    except ScheduleError as exc:
        # Small, long, expensive loans where a rounding of half a fen compounds past a row's
        # principal are refused (never a negative row); other errors are failures.
        assert exc.code == "schedule_not_representable"
        assume(False)
    return schedule, unit


@settings(max_examples=150, deadline=None)
@given(schedules())
def test_schedule_properties(case):
    schedule, unit = case
    rows = schedule.installments
    assert sum(row.principal for row in rows) == schedule.principal
    assert rows[-1].balance == D("0.00")
    for row in rows:
        assert row.principal >= 0
        assert row.interest >= 0
        assert row.balance >= 0
        assert row.principal == row.principal.quantize(D("0.01"))
        assert row.interest == row.interest.quantize(D("0.01"))
        assert row.days > 0
    for previous, row in itertools.pairwise(rows):
        assert row.opening_balance == previous.balance
        assert row.due_date > previous.due_date
    if schedule.method is RepaymentMethod.EQUAL_INSTALLMENT and len(rows) > 1:
        totals = {row.total for row in rows[:-1]}
        assert len(totals) == 1
        (installment,) = totals
        assert installment % unit == 0
    else:
        principals = {row.principal for row in rows[:-1]}
        assert len(principals) <= 1
    assert schedule.annualized_rate_irr >= 0


def test_bank_schedule_counts_due_dates_from_the_contract_date():
    schedule = build_schedule(
        principal=D("12000"),
        term=4,
        method=EI,
        rate=InterestRate.annual(D("0.0435")),
        start_date=dt.date(2024, 1, 31),
    )
    assert [row.due_date for row in schedule.installments] == [
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
    ]
