"""What an installment owes on a date (DOMAIN.md §1, §5, §6): the check figures, the day
rule at every grace boundary, cut spans, and daily accruals that add up exactly."""

import calendar
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loans.schedule import InterestRate, RateBasis, RepaymentMethod, ScheduleError, build_schedule
from loans.schedule.accrual import (
    AccrualTerms,
    InstallmentAccrual,
    Owed,
    Standing,
    accrual_after_payment,
    accrual_cut,
    accrual_for_day,
    aging_bucket,
    days_past_due,
    installment_standing,
    interest_owed_on,
    owed_on,
)

D = Decimal
EP = RepaymentMethod.EQUAL_PRINCIPAL
EI = RepaymentMethod.EQUAL_INSTALLMENT


def micro_terms(grace_days=1, compound=True):
    return AccrualTerms(RateBasis.DAILY, D("0.0005"), grace_days, D("1.5"), compound)


def state_of(row, **changes):
    return InstallmentAccrual(
        period_start_date=row.period_start_date,
        due_date=row.due_date,
        opening_balance=row.opening_balance,
        principal=row.principal,
        interest=row.interest,
        **changes,
    )


@pytest.fixture
def micro_schedule():
    # DOMAIN.md §6: 10,000 at 0.05%/day in 10 periods drawn 2024-03-10.
    return build_schedule(
        principal=D("10000"),
        term=10,
        method=EP,
        rate=InterestRate.daily(D("0.0005")),
        start_date=dt.date(2024, 3, 10),
    )


@pytest.fixture
def second(micro_schedule):
    row = micro_schedule.installments[1]
    assert (row.principal, row.interest, row.due_date) == (
        D("1000.00"),
        D("135.00"),
        dt.date(2024, 5, 10),
    )
    return state_of(row)


@pytest.mark.parametrize(
    ("grace_days", "penalty", "compound"),
    [
        (1, "3.75", "0.51"),  # 1,000 × 0.075% × 5 and 135 × 0.075% × 5 = 0.50625
        (2, "3.75", "0.51"),  # grace has passed: all 5 days count
        (4, "3.75", "0.51"),
        (5, "0.00", "0.00"),  # still within grace on the 5th day
        (6, "0.00", "0.00"),
    ],
)
def test_overdue_check_figures(second, grace_days, penalty, compound):
    owed = owed_on(micro_terms(grace_days), second, dt.date(2024, 5, 15))
    assert owed == Owed(interest=D("135.00"), penalty=D(penalty), compound=D(compound))


def test_paid_within_grace_owes_no_penalty(second):
    terms = micro_terms(grace_days=1)
    assert owed_on(terms, second, dt.date(2024, 5, 10)).penalty == D("0.00")
    assert owed_on(terms, second, dt.date(2024, 5, 11)).penalty == D("0.00")
    # The day after grace: both days from the due date count.
    assert owed_on(terms, second, dt.date(2024, 5, 12)).penalty == D("1.50")


def test_compound_interest_is_a_product_flag(second):
    assert owed_on(micro_terms(compound=False), second, dt.date(2024, 5, 15)).compound == D("0.00")


def test_interest_accrues_by_the_day_and_is_complete_at_the_due_date(second):
    terms = micro_terms()
    assert interest_owed_on(terms, second, dt.date(2024, 4, 10)) == D("0.00")
    assert interest_owed_on(terms, second, dt.date(2024, 4, 11)) == D("4.50")
    assert interest_owed_on(terms, second, dt.date(2024, 5, 10)) == D("135.00")
    assert interest_owed_on(terms, second, dt.date(2024, 6, 30)) == D("135.00")


def test_payoff_interest_check_figures(micro_schedule):
    first = state_of(micro_schedule.installments[0])
    terms = micro_terms()
    # 20 days → 100.00; drawn today, paid off tomorrow → 5.00.
    assert interest_owed_on(terms, first, dt.date(2024, 3, 30)) == D("100.00")
    assert interest_owed_on(terms, first, dt.date(2024, 3, 11)) == D("5.00")


def test_bank_interest_accrues_as_a_share_of_the_months_interest():
    schedule = build_schedule(
        principal=D("619500.00"),
        term=12,
        method=EP,
        rate=InterestRate.annual(D("0.049")),
        start_date=dt.date(2024, 1, 31),
    )
    row = schedule.installments[0]  # 31 Jan → 29 Feb: 29 days, I = 2,529.63
    assert row.interest == D("2529.63")
    terms = AccrualTerms(RateBasis.ANNUAL, D("0.049"), 1, D("1.5"), True)
    state = state_of(row)
    # cum_k = round(I × k / 29)
    assert interest_owed_on(terms, state, dt.date(2024, 2, 1)) == D("87.23")  # 87.228…
    assert interest_owed_on(terms, state, dt.date(2024, 2, 15)) == D("1308.43")  # × 15 / 29
    assert interest_owed_on(terms, state, dt.date(2024, 2, 29)) == D("2529.63")


def test_bank_penalty_uses_annual_over_360():
    schedule = build_schedule(
        principal=D("120000.00"),
        term=12,
        method=EP,
        rate=InterestRate.annual(D("0.036")),
        start_date=dt.date(2024, 1, 10),
    )
    row = schedule.installments[0]  # 10,000.00 principal, 360.00 interest, due 10 Feb
    terms = AccrualTerms(RateBasis.ANNUAL, D("0.036"), 1, D("1.5"), True)
    owed = owed_on(terms, state_of(row), dt.date(2024, 2, 20))
    # 10,000 × 3.6% / 360 × 1.5 × 10 = 15.00; 360 × 0.015% × 10 = 0.54.
    assert (owed.penalty, owed.compound) == (D("15.00"), D("0.54"))


@pytest.mark.parametrize(
    ("on", "standing"),
    [
        (dt.date(2024, 5, 9), Standing.NOT_YET_DUE),
        (dt.date(2024, 5, 10), Standing.CURRENT),
        (dt.date(2024, 5, 11), Standing.CURRENT),  # the last day of grace
        (dt.date(2024, 5, 12), Standing.OVERDUE),
    ],
)
def test_installment_standing_boundaries(on, standing):
    assert installment_standing(due_date=dt.date(2024, 5, 10), grace_days=1, on=on) is standing


def test_days_past_due_and_aging():
    due = dt.date(2024, 5, 10)
    assert days_past_due(oldest_unpaid_due_date=due, on=due) == 0
    assert days_past_due(oldest_unpaid_due_date=due, on=dt.date(2024, 5, 11)) == 1
    assert days_past_due(oldest_unpaid_due_date=None, on=due) == 0
    assert [aging_bucket(d) for d in (0, 1, 30, 31, 60, 61, 90, 91, 400)] == [
        None,
        "1-30",
        "1-30",
        "31-60",
        "31-60",
        "61-90",
        "61-90",
        "91+",
        "91+",
    ]


def test_a_partial_payment_of_overdue_principal_cuts_the_penalty_span(second):
    terms = micro_terms()
    paid_on = dt.date(2024, 5, 15)
    before = owed_on(terms, second, paid_on)
    after = accrual_after_payment(terms, second, paid_on, principal_paid=D("400.00"))
    # Nothing accrued up to the payment changes.
    assert owed_on(terms, after, paid_on) == before
    assert after.penalty_accrued_before_span == D("3.75")
    assert after.penalty_span_start_date == paid_on
    # From then on the penalty runs on 600.00: 5 more days is 600 × 0.075% × 5 = 2.25.
    assert owed_on(terms, after, dt.date(2024, 5, 20)).penalty == D("6.00")
    # Compound did not change base, so it was not cut: 10 days on 135.00 = 1.0125.
    assert after.compound_span_start_date is None
    assert owed_on(terms, after, dt.date(2024, 5, 20)).compound == D("1.01")


def test_a_payment_within_grace_changes_only_the_base(second):
    terms = micro_terms(grace_days=3)
    after = accrual_after_payment(terms, second, dt.date(2024, 5, 12), principal_paid=D("600.00"))
    assert after.penalty_span_start_date is None
    assert after.penalty_accrued_before_span == D("0.00")
    # Once grace has passed the remaining 400.00 is charged from the due date: 5 days.
    assert owed_on(terms, after, dt.date(2024, 5, 15)).penalty == D("1.50")


def test_a_paid_up_overdue_installment_stops_accruing(second):
    terms = micro_terms()
    after = accrual_after_payment(
        terms, second, dt.date(2024, 5, 15), principal_paid=D("1000.00"), interest_paid=D("135.00")
    )
    assert owed_on(terms, after, dt.date(2024, 5, 15)) == owed_on(terms, after, dt.date(2024, 9, 1))


def test_a_prepayment_cuts_the_interest_span(micro_schedule):
    # A new principal for the running period (a prepayment on 20 March): 10 days on
    # 10,000.00, then 21 days on 6,000.00.
    terms = micro_terms()
    state = state_of(micro_schedule.installments[0])
    cut_on = dt.date(2024, 3, 20)
    after = accrual_after_payment(terms, state, cut_on, interest_span_base=D("6000.00"))
    assert after.interest_accrued_before_span == D("50.00")
    assert interest_owed_on(terms, after, cut_on) == D("50.00")
    assert interest_owed_on(terms, after, dt.date(2024, 4, 10)) == D("50.00") + D("63.00")
    with pytest.raises(ScheduleError):
        accrual_after_payment(terms, after, dt.date(2024, 4, 10), interest_span_base=D("1.00"))


def test_overpaying_an_installment_is_refused(second):
    with pytest.raises(ScheduleError):
        accrual_after_payment(
            micro_terms(), second, dt.date(2024, 5, 15), principal_paid=D("1000.01")
        )


def test_state_reads_from_an_object_with_the_column_names(second):
    class Row:
        unrelated: str

    row = Row()
    for name in InstallmentAccrual.FIELDS:
        setattr(row, name, getattr(second, name))
    row.unrelated = "ignored"
    assert InstallmentAccrual.from_row(row) == second


dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2029, 12, 31))


@st.composite
def loans_and_terms(draw):
    basis = draw(st.sampled_from(list(RateBasis)))
    if basis is RateBasis.DAILY:
        value = draw(st.decimals(min_value=D("0.0001"), max_value=D("0.00065"), places=6))
        term = draw(st.sampled_from([1, 5, 10, 20]))
    else:
        value = draw(st.decimals(min_value=D("0.01"), max_value=D("0.24"), places=6))
        term = draw(st.integers(min_value=1, max_value=36))
    # Month ends and leap days are the point: start on the 28th-31st half the time.
    start = draw(dates)
    if draw(st.booleans()):
        last = calendar.monthrange(start.year, start.month)[1]
        start = start.replace(day=min(draw(st.integers(28, 31)), last))
    schedule = build_schedule(
        principal=draw(st.decimals(min_value=D("100"), max_value=D("2000000"), places=2)),
        term=term,
        method=draw(st.sampled_from(list(RepaymentMethod))),
        rate=InterestRate(basis, value),
        start_date=start,
    )
    terms = AccrualTerms(
        basis,
        value,
        draw(st.integers(min_value=0, max_value=5)),
        draw(st.sampled_from([D("1.5"), D("1.3"), D("2")])),
        draw(st.booleans()),
    )
    return schedule, terms


@settings(max_examples=60, deadline=None)
@given(loans_and_terms())
def test_daily_accruals_add_up_exactly_to_the_scheduled_interest(case):
    schedule, terms = case
    for row in schedule.installments:
        state = state_of(row)
        day = row.period_start_date
        total = D("0.00")
        while day < row.due_date:
            delta = accrual_for_day(terms, state, day)
            assert delta.interest >= 0
            assert delta.penalty == delta.compound == D("0.00")
            total += delta.interest
            day += dt.timedelta(days=1)
        assert total == row.interest
        assert interest_owed_on(terms, state, row.period_start_date) == D("0.00")


@settings(max_examples=60, deadline=None)
@given(loans_and_terms(), st.integers(min_value=0, max_value=40), st.integers(0, 40))
def test_penalty_is_the_exact_product_over_the_days_since_due(case, late, more):
    schedule, terms = case
    row = schedule.installments[0]
    state = state_of(row)
    on = row.due_date + dt.timedelta(days=late)
    owed = owed_on(terms, state, on)
    daily = Fraction(terms.rate) / (1 if terms.basis is RateBasis.DAILY else 360)
    rate = daily * Fraction(terms.penalty_rate_multiplier)
    if late > terms.grace_days:
        expected_penalty = Fraction(row.principal) * rate * late
        expected_compound = (
            Fraction(row.interest) * rate * late if terms.compound_interest_enabled else 0
        )
    else:
        expected_penalty = expected_compound = Fraction(0)
    assert abs(Fraction(owed.penalty) - expected_penalty) <= Fraction(1, 200)
    assert abs(Fraction(owed.compound) - expected_compound) <= Fraction(1, 200)
    # A cut never changes what is owed on its day, and later amounts are the amount before
    # plus the new span's.
    cut = accrual_cut(terms, state, on, penalty=True, compound=True)
    assert owed_on(terms, cut, on) == owed
    later = on + dt.timedelta(days=more)
    assert owed_on(terms, cut, later).penalty >= owed.penalty
