"""The product check's worst case (DOMAIN.md §2): exact against building and solving every
case, over every first period the due-date rules allow, and refusing what the old check
let through."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.exceptions import InvalidInput
from loans.models import LoanProduct, ProductKind
from loans.pricing import product_pricing_check, product_pricing_check_for
from loans.schedule import (
    DueDateRule,
    InterestRate,
    RateBasis,
    RepaymentMethod,
    ScheduleError,
    build_schedule,
    default_first_due_date,
    first_due_date_on_repayment_day,
    repayment_day_for_first_draw,
)
from loans.schedule.worst_case import (
    daily_period_days,
    draw_amounts,
    product_worst_case,
    product_worst_case_brute_force,
)

D = Decimal
EI = RepaymentMethod.EQUAL_INSTALLMENT
EP = RepaymentMethod.EQUAL_PRINCIPAL
START = dt.date(2024, 3, 10)


@pytest.mark.parametrize(
    "product",
    [
        # A micro-loan near the cap, small amounts where rounding matters most.
        {
            "rate": InterestRate.daily(D("0.00062")),
            "terms": [5],
            "methods": [EP, EI],
            "min_draw": D("100"),
            "max_draw": D("1500"),
            "draw_step": D("100"),
        },
        # Whole-yuan rounding: the installment's rounding error is 50 fen, not half a fen.
        {
            "rate": InterestRate.daily(D("0.0005")),
            "terms": [3, 4],
            "methods": [EP, EI],
            "min_draw": D("100"),
            "max_draw": D("3000"),
            "draw_step": D("100"),
            "rounding_unit": D("1.00"),
        },
        # A longer first period allowed by a product's rule.
        {
            "rate": InterestRate.daily(D("0.0003")),
            "terms": [2],
            "methods": [EI],
            "min_draw": D("500"),
            "max_draw": D("2500"),
            "draw_step": D("500"),
            "due_date_rule": DueDateRule(min_days_to_first_due=20),
        },
        # Bank loans: the rounding of small amounts lifts the IRR above the annual rate.
        {
            "rate": InterestRate.annual(D("0.049")),
            "terms": list(range(12, 40)),
            "methods": [EP, EI],
            "min_draw": D("100"),
            "max_draw": D("2000"),
            "draw_step": D("100"),
        },
        # A rate just below a disclosure boundary (4.355%).
        {
            "rate": InterestRate.annual(D("0.04354999")),
            "terms": list(range(12, 30)),
            "methods": [EP, EI],
            "min_draw": D("1000"),
            "max_draw": D("5000"),
            "draw_step": D("100"),
        },
    ],
)
def test_the_search_finds_what_building_every_case_finds(product):
    found = product_worst_case(calendar_start=START, **product)
    assert found.annualized_rate_irr == product_worst_case_brute_force(
        calendar_start=START, **product
    )
    # It got there building a fraction of the cases.
    assert found.schedules_built < found.cases


@settings(max_examples=25, deadline=None)
@given(
    annual=st.decimals(min_value=D("0.01"), max_value=D("0.24"), places=6),
    terms=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=4),
    methods=st.sampled_from([[EP], [EI], [EP, EI]]),
    low=st.integers(min_value=1, max_value=30),
    count=st.integers(min_value=1, max_value=15),
    step=st.sampled_from([D("100"), D("250")]),
)
def test_bank_products_match_the_brute_force(annual, terms, methods, low, count, step):
    product = {
        "rate": InterestRate.annual(annual),
        "terms": terms,
        "methods": methods,
        "min_draw": step * low,
        "max_draw": step * (low + count),
        "draw_step": step,
    }
    try:
        found = product_worst_case(calendar_start=START, **product)
    except ScheduleError as exc:
        assert exc.code == "schedule_not_representable"
        with pytest.raises(ScheduleError):
            product_worst_case_brute_force(calendar_start=START, **product)
        return
    assert found.annualized_rate_irr == product_worst_case_brute_force(
        calendar_start=START, **product
    )


def test_the_worst_case_is_a_real_schedule_with_that_rate():
    found = product_worst_case(
        rate=InterestRate.daily(D("0.0005")),
        terms=[5, 10, 20],
        methods=[EP, EI],
        min_draw=D("100"),
        max_draw=D("40000"),
        draw_step=D("100"),
        calendar_start=START,
    )
    schedule = build_schedule(
        principal=found.principal,
        term=found.term,
        method=found.method,
        rate=InterestRate.daily(D("0.0005")),
        start_date=found.start_date,
        first_due_date=found.first_due_date,
    )
    assert tuple(row.days for row in schedule.installments) == found.period_days
    assert schedule.annualized_rate_irr == found.annualized_rate_irr
    assert 15 <= found.period_days[0] <= 45
    # 3 terms × 2 methods × 400 amounts × every first period and month pattern.
    assert found.cases > 1_000_000


def test_the_domain_example_is_below_the_products_worst_case():
    # DOMAIN.md §2: 10,000.00 at 0.062%/day with a 45-day first period is 22.38%; a shorter
    # first period costs more, so the product's worst case is above it.
    found = product_worst_case(
        rate=InterestRate.daily(D("0.00062")),
        terms=[5],
        methods=[EP],
        min_draw=D("10000"),
        max_draw=D("10000"),
        draw_step=D("100"),
        calendar_start=START,
    )
    assert found.annualized_rate_irr > D("0.2238")
    assert found.period_days[0] == 15


def test_every_first_period_the_due_date_rules_give_is_covered():
    rule = DueDateRule()
    covered = daily_period_days(terms=[5], due_date_rule=rule, calendar_start=START)
    seen = set()
    day = START
    while day < START.replace(year=START.year + 4):
        # A first draw (its own day, or the fallback day late in the month) and a later
        # draw on a line whose repayment day is any of the days a line can have.
        first_dues = [default_first_due_date(day, RateBasis.DAILY, rule)]
        first_dues += [
            first_due_date_on_repayment_day(day, repayment_day, rule)
            for repayment_day in (1, 10, repayment_day_for_first_draw(day, rule), 21, 28)
        ]
        for first_due in first_dues:
            if first_due.year >= START.year + 4:
                continue
            schedule = build_schedule(
                principal=D("1000"),
                term=5,
                method=EP,
                rate=InterestRate.daily(D("0.0005")),
                start_date=day,
                first_due_date=first_due,
            )
            days = tuple(row.days for row in schedule.installments)
            assert days in covered, (day, first_due, days)
            seen.add(days)
        day += dt.timedelta(days=1)
    assert min(days[0] for days in seen) == 15
    assert max(days[0] for days in seen) == 45


def test_the_product_check_refuses_a_small_draw_the_old_check_let_through(settings):
    settings.MICROLEND = {**settings.MICROLEND, "ANNUALIZED_RATE_CAP": "0.24"}
    offer: dict[str, Any] = {
        "basis_rate": InterestRate.daily(D("0.000663")),
        "terms": [5, 10, 20],
        "methods": [EP, EI],
        "rounding_unit": D("0.01"),
        "start_date": START,
    }
    # A 10,000.00 draw (the old check's only amount) discloses exactly the cap: allowed.
    legacy = product_pricing_check(**offer)
    assert legacy.annualized_rate_irr == D("0.2400")
    assert legacy.principal == D("10000.00")
    with pytest.raises(InvalidInput) as caught:
        product_pricing_check(**offer, min_draw=D("100"), max_draw=D("40000"), draw_step=D("100"))
    assert caught.value.code == "rate_above_cap"
    assert "100.00 over 5 months" in caught.value.detail


def test_the_product_check_returns_the_worst_case_of_the_demo_products():
    micro = product_pricing_check(
        basis_rate=InterestRate.daily(D("0.0005")),
        terms=[5, 10, 20],
        methods=[EP, EI],
        rounding_unit=D("0.01"),
        start_date=START,
        min_draw=D("100"),
        max_draw=D("40000"),
        draw_step=D("100"),
    )
    assert D("0.18") < micro.annualized_rate_irr < D("0.19")
    bank = product_pricing_check(
        basis_rate=InterestRate.annual(D("0.0435")),
        terms=list(range(12, 361)),
        methods=[EP, EI],
        rounding_unit=D("0.01"),
        start_date=START,
        min_draw=D("10000"),
        max_draw=D("1000000"),
        draw_step=D("1000"),
    )
    # From 10,000.00 up the rounding cannot move a bank loan's IRR off its rate at 0.01%.
    assert bank.annualized_rate_irr == D("0.0435")
    assert bank.cases == 2 * 349 * 991


def test_the_product_check_reads_a_product():
    product = LoanProduct(
        code="p",
        kind=ProductKind.MICRO,
        daily_rate_min=D("0.0002"),
        daily_rate_default=D("0.0004"),
        daily_rate_max=D("0.0005"),
        term_min=5,
        term_max=20,
        allowed_terms=[5, 10, 20],
        min_draw=D("100"),
        max_draw=D("2000"),
        draw_step=D("100"),
    )
    found = product_pricing_check_for(product, start_date=START)
    assert (
        found.annualized_rate_irr
        == product_worst_case(
            rate=InterestRate.daily(D("0.0005")),
            terms=[5, 10, 20],
            methods=[EP, EI],
            min_draw=D("100"),
            max_draw=D("2000"),
            draw_step=D("100"),
            calendar_start=START,
        ).annualized_rate_irr
    )


@pytest.mark.parametrize(
    ("terms", "methods", "unit", "mentions"),
    [
        # 100.00 over 360 months with a 1-yuan unit: 359 rows of 0.00 and a balloon.
        ([12, 360], [EP], D("1.00"), "100.00 over 360 months"),
        # 0.28 a row repays more than 100.00 before the last row.
        ([360], [EP], D("0.01"), "over 360 months"),
        # A 1-yuan installment on 100.00 over 240 months covers only interest.
        ([240], [EI], D("1.00"), "100.00 over 240 months"),
    ],
)
def test_the_product_check_refuses_products_that_cannot_schedule_a_draw(
    terms, methods, unit, mentions
):
    with pytest.raises(InvalidInput) as caught:
        product_pricing_check(
            basis_rate=InterestRate.annual(D("0.049")),
            terms=terms,
            methods=methods,
            rounding_unit=unit,
            start_date=START,
            min_draw=D("100"),
            max_draw=D("5000"),
            draw_step=D("100"),
        )
    assert caught.value.code == "schedule_not_representable"
    assert mentions in caught.value.detail


def test_draw_amounts_are_the_multiples_of_the_step():
    assert draw_amounts(D("150"), D("500"), D("100")) == [20000, 30000, 40000, 50000]
    with pytest.raises(ScheduleError):
        draw_amounts(D("150"), D("180"), D("100"))
    with pytest.raises(ScheduleError):
        draw_amounts(D("500"), D("100"), D("100"))


def test_a_case_exactly_at_the_half_step_above_the_bar_is_found():
    """600.00, 700.00 and 800.00 at 1% for one month: 800.00 pays 0.67 of interest, an
    IRR of exactly 1.005%, disclosed (half-up) as 1.01%; the present-value test at the bar
    must not lose it to the rounding of its discount factors."""
    found = product_worst_case(
        calendar_start=START,
        rate=InterestRate.annual(D("0.01")),
        terms=[1],
        methods=[EP],
        min_draw=D("600"),
        max_draw=D("800"),
        draw_step=D("100"),
    )
    assert found.annualized_rate_irr == D("0.0101")
    assert found.principal == D("800.00")
