"""The repayment waterfall and the micro-loan payoff quote (DOMAIN.md §5): worked cases
with several overdue installments, amounts that stop inside a component, an overpayment,
and properties for any input."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loans.models import AllocationTarget
from loans.schedule import InterestRate, RateBasis, RepaymentMethod, build_schedule
from loans.schedule.accrual import (
    AccrualTerms,
    InstallmentAccrual,
    Standing,
    accrual_after_payment,
)
from repayments.allocation import (
    DEFAULT_ORDER,
    AllocationError,
    Component,
    InstallmentOwing,
    PayoffInstallment,
    allocate,
    installment_owing,
    micro_payoff_quote,
    repayment_order,
)

D = Decimal
C = Component
OVERDUE, CURRENT, NOT_YET_DUE = Standing.OVERDUE, Standing.CURRENT, Standing.NOT_YET_DUE


def test_components_are_the_products_allocation_targets():
    assert [c.value for c in DEFAULT_ORDER] == list(AllocationTarget.values)


@pytest.fixture
def book():
    """Two overdue installments, one current, one not yet due."""
    return [
        InstallmentOwing(
            key=3,
            due_date=dt.date(2024, 7, 10),
            standing=CURRENT,
            interest=D("120.00"),
            principal=D("1000.00"),
        ),
        InstallmentOwing(
            key=1,
            due_date=dt.date(2024, 5, 10),
            standing=OVERDUE,
            penalty=D("40.00"),
            compound=D("5.00"),
            interest=D("135.00"),
            principal=D("1000.00"),
        ),
        InstallmentOwing(
            key=2,
            due_date=dt.date(2024, 6, 10),
            standing=OVERDUE,
            penalty=D("10.00"),
            compound=D("1.00"),
            interest=D("127.50"),
            principal=D("1000.00"),
        ),
        InstallmentOwing(
            key=4,
            due_date=dt.date(2024, 8, 10),
            standing=NOT_YET_DUE,
            interest=D("90.00"),
            principal=D("1000.00"),
        ),
    ]


def test_each_component_across_all_installments_oldest_first(book):
    result = allocate(amount=D("1300.00"), installments=book)
    assert [(a.key, a.component, a.amount) for a in result.allocations] == [
        (1, C.PENALTY, D("40.00")),
        (2, C.PENALTY, D("10.00")),
        (1, C.COMPOUND, D("5.00")),
        (2, C.COMPOUND, D("1.00")),
        (1, C.OVERDUE_INTEREST, D("135.00")),
        (2, C.OVERDUE_INTEREST, D("127.50")),
        (1, C.OVERDUE_PRINCIPAL, D("981.50")),  # stops inside overdue principal
    ]
    assert result.remainder == D("0.00")
    assert result.allocated == D("1300.00")


def test_an_amount_that_stops_inside_the_penalty(book):
    result = allocate(amount=D("45.50"), installments=book)
    assert result.by_installment() == {1: {C.PENALTY: D("40.00")}, 2: {C.PENALTY: D("5.50")}}


def test_everything_due_and_an_overpayment(book):
    due = D("40") + 10 + 5 + 1 + 135 + D("127.50") + 1000 + 1000 + 120 + 1000
    result = allocate(amount=due + D("500.00"), installments=book)
    assert result.remainder == D("500.00")
    by = result.by_installment()
    assert by[3] == {C.CURRENT_INTEREST: D("120.00"), C.CURRENT_PRINCIPAL: D("1000.00")}
    # Nothing is taken from an installment not yet due, however much is paid.
    assert 4 not in by


def test_the_frozen_order_decides(book):
    order = [
        "overdue_principal",
        "overdue_interest",
        "penalty",
        "compound",
        "current_principal",
        "current_interest",
    ]
    result = allocate(amount=D("2100.00"), installments=book, order=order)
    assert [(a.key, a.component) for a in result.allocations] == [
        (1, C.OVERDUE_PRINCIPAL),
        (2, C.OVERDUE_PRINCIPAL),
        (1, C.OVERDUE_INTEREST),
    ]
    assert result.allocations[-1].amount == D("100.00")


@pytest.mark.parametrize(
    "order",
    [
        ["penalty"],
        [*DEFAULT_ORDER[:5], "penalty"],
        [*DEFAULT_ORDER, "penalty"],
        [*DEFAULT_ORDER[:5], "principal"],
    ],
)
def test_a_repayment_order_must_name_each_component_once(order):
    with pytest.raises(AllocationError) as caught:
        repayment_order(order)
    assert caught.value.code == "order_invalid"


@pytest.mark.parametrize("amount", [D("0.00"), D("-1.00"), D("1.001"), D("NaN"), D("Infinity")])
def test_a_payment_must_be_a_positive_amount_in_fen(book, amount):
    with pytest.raises(AllocationError) as caught:
        allocate(amount=amount, installments=book)
    assert caught.value.code == "amount_invalid"


def test_owed_amounts_must_be_money():
    with pytest.raises(AllocationError):
        InstallmentOwing(key=1, due_date=dt.date(2024, 1, 1), standing=OVERDUE, penalty=D("-1"))


def _terms(grace_days=1):
    return AccrualTerms(RateBasis.DAILY, D("0.0005"), grace_days, D("1.5"), True)


@pytest.fixture
def draw():
    # 10,000 at 0.05%/day in 10 periods drawn 2024-03-10, equal principal.
    return build_schedule(
        principal=D("10000"),
        term=10,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        rate=InterestRate.daily(D("0.0005")),
        start_date=dt.date(2024, 3, 10),
    )


def _state(row, **changes):
    return InstallmentAccrual(
        period_start_date=row.period_start_date,
        due_date=row.due_date,
        opening_balance=row.opening_balance,
        principal=row.principal,
        interest=row.interest,
        **changes,
    )


def test_owing_from_stored_state_check_figure(draw):
    # Installment 1 paid on time; installment 2 (1,000.00 + 135.00, due 2024-05-10) paid on
    # 2024-05-15: penalty 3.75, compound 0.51; installment 3 not yet due.
    on = dt.date(2024, 5, 15)
    states = [
        _state(draw.installments[0], principal_paid=D("1000.00"), interest_paid=D("155.00")),
        _state(draw.installments[1]),
        _state(draw.installments[2]),
    ]
    owing = [
        installment_owing(key=n, terms=_terms(), state=s, on=on)
        for n, s in enumerate(states, start=1)
    ]
    assert owing[1] == InstallmentOwing(
        key=2,
        due_date=dt.date(2024, 5, 10),
        standing=OVERDUE,
        penalty=D("3.75"),
        compound=D("0.51"),
        interest=D("135.00"),
        principal=D("1000.00"),
    )
    assert owing[2].standing is NOT_YET_DUE
    assert (owing[2].interest, owing[2].principal) == (D("0.00"), D("0.00"))
    # Paying 1,139.26 clears installment 2 exactly.
    result = allocate(amount=D("1139.26"), installments=owing)
    assert result.remainder == D("0.00")
    assert result.by_installment() == {
        2: {
            C.PENALTY: D("3.75"),
            C.COMPOUND: D("0.51"),
            C.OVERDUE_INTEREST: D("135.00"),
            C.OVERDUE_PRINCIPAL: D("1000.00"),
        }
    }


def test_payoff_quote_check_figures(draw):
    items = [PayoffInstallment(key=r.number, state=_state(r)) for r in draw.installments]
    # Paid off after 20 days: interest 100.00, payoff 10,100.00.
    quote = micro_payoff_quote(
        terms=_terms(), draw_date=dt.date(2024, 3, 10), installments=items, on=dt.date(2024, 3, 30)
    )
    assert (quote.principal, quote.interest, quote.total) == (
        D("10000.00"),
        D("100.00"),
        D("10100.00"),
    )
    # Drawn today, paid off tomorrow: 5.00.
    quote = micro_payoff_quote(
        terms=_terms(), draw_date=dt.date(2024, 3, 10), installments=items, on=dt.date(2024, 3, 11)
    )
    assert quote.interest == D("5.00")
    assert quote.lines[0].interest == D("5.00")
    assert all(line.interest == 0 for line in quote.lines[1:])
    with pytest.raises(AllocationError) as caught:
        micro_payoff_quote(
            terms=_terms(),
            draw_date=dt.date(2024, 3, 10),
            installments=items,
            on=dt.date(2024, 3, 10),
        )
    assert caught.value.code == "payoff_same_day"


def test_payoff_quote_with_an_overdue_installment(draw):
    # Installment 1 (1,000.00 + 155.00, due 2024-04-10) unpaid; paid off on 2024-04-20:
    # everything overdue, and the running period's interest to the day.
    items = [PayoffInstallment(key=r.number, state=_state(r)) for r in draw.installments]
    quote = micro_payoff_quote(
        terms=_terms(), draw_date=dt.date(2024, 3, 10), installments=items, on=dt.date(2024, 4, 20)
    )
    first, second = quote.lines[0], quote.lines[1]
    assert (first.principal, first.interest) == (D("1000.00"), D("155.00"))
    assert first.penalty == D("7.50")  # 1,000 × 0.075% × 10
    assert first.compound == D("1.16")  # 155 × 0.075% × 10 = 1.1625
    assert second.interest == D("45.00")  # 9,000 × 0.05% × 10
    assert quote.principal == D("10000.00")
    assert quote.total == D("10000.00") + D("155.00") + D("7.50") + D("1.16") + D("45.00")


def test_a_partial_payment_then_the_waterfall_on_the_rest(draw):
    # 500.00 paid on 2024-05-15 to installment 2, then what it owes on 2024-05-20.
    terms = _terms()
    state = _state(draw.installments[1])
    paid_on = dt.date(2024, 5, 15)
    first = allocate(
        amount=D("500.00"),
        installments=[installment_owing(key=2, terms=terms, state=state, on=paid_on)],
    ).by_installment()[2]
    after = accrual_after_payment(
        terms,
        state,
        paid_on,
        principal_paid=first.get(C.OVERDUE_PRINCIPAL, D(0)),
        interest_paid=first.get(C.OVERDUE_INTEREST, D(0)),
    )
    assert first[C.OVERDUE_PRINCIPAL] == D("360.74")  # 500 − 3.75 − 0.51 − 135
    owing = installment_owing(
        key=2,
        terms=terms,
        state=after,
        on=dt.date(2024, 5, 20),
        penalty_paid=first[C.PENALTY],
        compound_paid=first[C.COMPOUND],
    )
    # Penalty: 639.26 × 0.075% × 5 = 2.397… on the rest; compound: nothing left to compound.
    assert owing.penalty == D("2.40")
    assert owing.compound == D("0.00")
    assert owing.interest == D("0.00")
    assert owing.principal == D("639.26")


money = st.decimals(min_value=D("0.00"), max_value=D("5000.00"), places=2)


@st.composite
def books(draw):
    count = draw(st.integers(min_value=0, max_value=6))
    rows = []
    for key in range(count):
        standing = draw(st.sampled_from(list(Standing)))
        rows.append(
            InstallmentOwing(
                key=key,
                due_date=dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 400))),
                standing=standing,
                penalty=draw(money) if standing is OVERDUE else D("0.00"),
                compound=draw(money) if standing is OVERDUE else D("0.00"),
                interest=draw(money),
                principal=draw(money),
            )
        )
    return rows


@settings(max_examples=300, deadline=None)
@given(
    books(),
    st.decimals(min_value=D("0.01"), max_value=D("40000.00"), places=2),
    st.permutations(list(Component)),
)
def test_waterfall_properties(book, amount, order):
    result = allocate(amount=amount, installments=book, order=order)
    # Allocations and the remainder add up to the amount paid.
    assert sum(a.amount for a in result.allocations) + result.remainder == amount
    assert result.remainder >= 0
    by = result.by_installment()
    owing = {item.key: item for item in book}
    # Never more than owed per installment and component; nothing from one not yet due.
    for key, parts in by.items():
        for component, part in parts.items():
            assert 0 < part <= owing[key].owed(component)
        assert owing[key].standing is not NOT_YET_DUE
    # A remainder is left only when everything due is paid.
    if result.remainder > 0:
        for item in book:
            for component in Component:
                assert by.get(item.key, {}).get(component, D(0)) == item.owed(component)
    # The order: a component gets money only once every earlier one is paid in full, and
    # within a component an installment only once every older one is.
    taken = [(order.index(a.component), owing[a.key].due_date) for a in result.allocations]
    assert taken == sorted(taken)
    for allocation in result.allocations[:-1]:
        assert allocation.amount == owing[allocation.key].owed(allocation.component)
