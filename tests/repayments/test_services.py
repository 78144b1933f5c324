"""Paying loans through the services: the waterfall on real rows, payoff figures, the
receipt, overpayment, idempotency and the gateway's outcomes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from common.exceptions import Conflict, InvalidInput
from common.gateway import GatewayOutcome, GatewayResult
from common.idempotency import IdempotencyKeyReused
from ledger.accounts import AccountCode
from ledger.models import JournalLine, JournalTransaction
from ledger.selectors import account_balance, trial_balance
from loans.models import CreditLine, Installment, Loan, RiskRule, ScheduleVersion
from loans.selectors import credit_line_available
from loans.services import loan_application_submit, payout_send
from repayments.models import Allocation, OverpaymentBalance, Repayment
from repayments.services import (
    amount_due,
    core,
    payoff_quote,
    payoff_submit,
    repayment_request,
    repayment_settle,
    repayment_submit,
)
from tests.loans.factories import CLIENT, MicroProductFactory, borrower

D = Decimal
DRAWN = dt.date(2024, 3, 10)


@pytest.fixture
def micro(db):
    return MicroProductFactory.create()


def draw(user, product, *, amount="10000", term=10, method="equal_principal", on=DRAWN):
    application = loan_application_submit(
        borrower=user,
        product=product,
        amount=D(amount),
        term=term,
        method=method,
        idempotency_key=f"draw-{amount}-{term}-{on}",
        client=CLIENT,
        business_date=on,
        now=timezone.now(),
        terms_accepted=True,
    ).application
    loan = Loan.objects.get(application=application)
    payout_send(payout_id=loan.payout.pk, business_date=on, now=timezone.now())
    return loan


@pytest.fixture
def person(micro):
    """A borrower whose line is 50,000.00 at 0.05% a day (DOMAIN.md's examples), and whose
    draws need no face check (the risk rules are not what these tests are about)."""
    user = borrower(business_date=DRAWN)
    CreditLine.objects.filter(borrower=user).update(limit=D("50000.00"), daily_rate=D("0.0005"))
    RiskRule.objects.filter(code="amount_above_threshold").update(amount=D("1000000.00"))
    RiskRule.objects.filter(code="first_loan").update(enabled=False)
    return user


@pytest.fixture
def loan(person, micro):
    loan = draw(person, micro)
    # The borrower's price is the product's default (0.05%/day).
    assert loan.daily_rate == D("0.0005")
    return loan


def pay(loan, amount, on, key="p1"):
    return repayment_submit(
        borrower=loan.borrower,
        loan_public_id=loan.public_id,
        amount=D(amount),
        idempotency_key=key,
        business_date=on,
        now=timezone.now(),
    )


def rows(loan):
    return list(loan.installments.exclude(status="superseded").order_by("number"))


def test_payoff_after_20_days_is_the_principal_and_100_of_interest(loan):
    quote = payoff_quote(loan=loan, business_date=DRAWN + dt.timedelta(days=20))
    assert quote.interest == D("100.00")
    assert quote.total == D("10100.00")


def test_payoff_the_day_after_the_draw_owes_one_day_and_not_on_the_day(loan):
    assert payoff_quote(loan=loan, business_date=DRAWN + dt.timedelta(days=1)).interest == D("5.00")
    with pytest.raises(Conflict) as caught:
        payoff_quote(loan=loan, business_date=DRAWN)
    assert caught.value.code == "payoff_same_day"
    with pytest.raises(InvalidInput) as refused:
        payoff_quote(
            loan=loan, business_date=DRAWN + dt.timedelta(days=2), on=DRAWN + dt.timedelta(days=3)
        )
    assert refused.value.code == "payoff_date_not_today"


def test_paying_off_settles_the_draw_and_gives_the_line_back(loan):
    line = loan.credit_line
    before = credit_line_available(line=line)
    day = DRAWN + dt.timedelta(days=20)
    with pytest.raises(InvalidInput) as caught:
        payoff_submit(
            borrower=loan.borrower,
            loan_public_id=loan.public_id,
            amount=D("5000.00"),
            idempotency_key="part",
            business_date=day,
            now=timezone.now(),
        )
    assert caught.value.code == "payoff_amount_mismatch"
    repayment = payoff_submit(
        borrower=loan.borrower,
        loan_public_id=loan.public_id,
        amount=D("10100.00"),
        idempotency_key="payoff",
        business_date=day,
        now=timezone.now(),
    )
    assert repayment.status == Repayment.Status.SUCCEEDED
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED
    assert loan.principal_outstanding == 0
    assert loan.settled_date == day
    assert credit_line_available(line=line) == before + D("10000.00")
    version = ScheduleVersion.objects.get(loan=loan, number=2)
    assert version.reason == ScheduleVersion.Reason.PAYOFF
    (final,) = rows(loan)
    assert (final.number, final.due_date, final.principal, final.interest) == (
        1,
        day,
        D("10000.00"),
        D("100.00"),
    )
    assert final.status == Installment.Status.PAID
    assert Installment.objects.filter(loan=loan, status="superseded").count() == 10
    receipt = {(a.component, a.amount) for a in repayment.allocations.all()}
    assert receipt == {("interest", D("100.00")), ("principal", D("10000.00"))}
    entry = JournalTransaction.objects.get(idempotency_key=f"payoff:{repayment.public_id}")
    assert entry.kind == "payoff"
    assert account_balance(code=AccountCode.LOAN_PRINCIPAL, loan_id=loan.pk) == 0
    assert trial_balance().is_balanced


def test_a_payment_before_anything_is_due_waits_as_overpayment(loan):
    repayment = pay(loan, "500.00", DRAWN + dt.timedelta(days=5))
    assert repayment.status == Repayment.Status.SUCCEEDED
    assert repayment.overpaid == D("500.00")
    assert not repayment.allocations.exists()
    assert OverpaymentBalance.objects.get(loan=loan).amount == D("500.00")
    assert account_balance(code=AccountCode.BORROWER_OVERPAYMENT, loan_id=loan.pk) == D("-500.00")
    # Paying early reduced no interest: the schedule is the contract's.
    assert [r.interest_paid for r in rows(loan)] == [D("0.00")] * 10


def test_waterfall_over_two_overdue_installments_stops_inside_a_component(loan):
    """Installments 1 (due 2024-04-10) and 2 (due 2024-05-10) unpaid; paid on 2024-05-20:
    penalty on both first, then compound on both, then interest oldest first, and so on."""
    on = dt.date(2024, 5, 20)
    first, second = rows(loan)[:2]
    due = amount_due(loan, core.live_installments(loan), on)
    penalty_1 = (D("1000.00") * D("0.0005") * D("1.5") * 40).quantize(D("0.01"))
    penalty_2 = (D("1000.00") * D("0.0005") * D("1.5") * 10).quantize(D("0.01"))
    compound_1 = (first.interest * D("0.00075") * 40).quantize(D("0.01"))
    compound_2 = (second.interest * D("0.00075") * 10).quantize(D("0.01"))
    assert due.penalty == penalty_1 + penalty_2
    assert due.compound == compound_1 + compound_2
    assert due.interest == first.interest + second.interest
    assert due.principal == D("2000.00")
    # Enough for the penalties, the compound interest, the first row's interest and 0.50 of
    # the second's.
    amount = penalty_1 + penalty_2 + compound_1 + compound_2 + first.interest + D("0.50")
    repayment = pay(loan, amount, on, key="partial")
    lines = [
        (a.installment.number, a.component, a.amount) for a in repayment.allocations.order_by("pk")
    ]
    assert sorted(lines) == sorted(
        [
            (1, "penalty", penalty_1),
            (2, "penalty", penalty_2),
            (1, "compound", compound_1),
            (2, "compound", compound_2),
            (1, "interest", first.interest),
            (2, "interest", D("0.50")),
        ]
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.interest_paid == first.interest
    assert first.principal_paid == 0
    assert second.interest_paid == D("0.50")
    # The compound span of each row was cut at the payment (its base, unpaid interest, fell).
    assert first.compound_span_start_date == on
    assert first.compound_accrued_before_span == compound_1
    assert repayment.overpaid == 0
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("10000.00")
    assert loan.oldest_unpaid_due_date == first.due_date


def test_paying_everything_due_and_more_pays_rows_and_holds_the_rest(loan):
    on = dt.date(2024, 4, 10)  # the first due date: current, not overdue
    first = rows(loan)[0]
    repayment = pay(loan, str(first.total + D("100.00")), on, key="more")
    first.refresh_from_db()
    assert first.status == Installment.Status.PAID
    assert first.paid_date == on
    assert repayment.overpaid == D("100.00")
    assert {a.standing for a in repayment.allocations.all()} == {"current"}
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("9000.00")
    assert loan.oldest_unpaid_due_date == rows(loan)[1].due_date
    credits = JournalLine.objects.filter(
        transaction__idempotency_key=f"repayment:{repayment.public_id}"
    )
    assert sum(line.amount for line in credits) == 0
    assert {line.loan_id for line in credits} == {loan.pk}


def test_same_key_twice_moves_money_once_and_a_different_amount_is_refused(loan):
    on = dt.date(2024, 4, 10)
    first = pay(loan, "300.00", on, key="same")
    again = pay(loan, "300.00", on, key="same")
    assert again.pk == first.pk
    assert Repayment.objects.count() == 1
    assert JournalTransaction.objects.filter(kind="repayment").count() == 1
    with pytest.raises(IdempotencyKeyReused):
        pay(loan, "301.00", on, key="same")


def test_a_declined_charge_fails_the_repayment_and_nothing_moves(loan):
    on = dt.date(2024, 4, 10)
    repayment = repayment_request(
        borrower=loan.borrower,
        loan=loan,
        kind=Repayment.Kind.PAYMENT,
        amount=D("1000.00"),
        idempotency_key="declined",
        business_date=on,
        now=timezone.now(),
    )
    before = (JournalTransaction.objects.count(), Allocation.objects.count())
    settled = repayment_settle(
        repayment_id=repayment.pk,
        result=GatewayResult(GatewayOutcome.DECLINED, "SIM-1", "Insufficient funds."),
        gateway_name="simulated",
        business_date=on,
        now=timezone.now(),
    )
    assert settled.status == Repayment.Status.FAILED
    assert settled.failure_reason == "Insufficient funds."
    assert (JournalTransaction.objects.count(), Allocation.objects.count()) == before
    assert [r.principal_paid for r in rows(loan)] == [D("0.00")] * 10
    # A pending answer leaves it for the sweep; a second answer changes nothing once settled.
    again = repayment_settle(
        repayment_id=repayment.pk,
        result=GatewayResult(GatewayOutcome.SUCCEEDED, "SIM-1"),
        gateway_name="simulated",
        business_date=on,
        now=timezone.now(),
    )
    assert again.status == Repayment.Status.FAILED


def test_amounts_that_are_not_money_or_above_what_is_owed_are_refused(loan):
    on = dt.date(2024, 4, 10)
    before = (Repayment.objects.count(), Allocation.objects.count())
    cases = (
        ("0", "amount_invalid"),
        ("-1", "amount_invalid"),
        ("1.001", "amount_invalid"),
        ("99999999", "amount_above_owed"),
    )
    for amount, code in cases:
        with pytest.raises(InvalidInput) as caught:
            pay(loan, amount, on, key=f"bad-{amount}")
        assert caught.value.code == code
    assert (Repayment.objects.count(), Allocation.objects.count()) == before


def test_a_payoff_charged_after_the_installment_due_today_was_paid_settles_the_draw(loan):
    """The payoff's amount was checked against today's quote (10,155.00: principal and 31
    days' interest); before its charge is recorded, the installment due today is paid
    (1,155.00). The charge still pays the draw off: the rest of the principal with no
    interest (the next period starts today), and what is left over is held for a refund."""
    on = dt.date(2024, 4, 10)
    now = timezone.now()
    assert payoff_quote(loan=loan, business_date=on).total == D("10155.00")
    pending = repayment_request(
        borrower=loan.borrower,
        loan=loan,
        kind=Repayment.Kind.PAYOFF,
        amount=D("10155.00"),
        idempotency_key="payoff",
        business_date=on,
        now=now,
    )
    repayment_submit(
        borrower=loan.borrower,
        loan_public_id=loan.public_id,
        amount=D("1155.00"),
        idempotency_key="installment",
        business_date=on,
        now=now,
    )
    settled = repayment_settle(
        repayment_id=pending.pk,
        result=GatewayResult(outcome=GatewayOutcome.SUCCEEDED, reference="gw-payoff"),
        gateway_name="test",
        business_date=on,
        now=now,
    )
    assert settled.status == Repayment.Status.SUCCEEDED
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED
    assert loan.principal_outstanding == D("0.00")
    payoff_row = loan.installments.exclude(status=Installment.Status.SUPERSEDED).get(number=2)
    assert (payoff_row.period_start_date, payoff_row.due_date) == (on, on)
    assert (payoff_row.principal, payoff_row.interest) == (D("9000.00"), D("0.00"))
    assert OverpaymentBalance.objects.get(loan=loan).amount == D("1155.00")
    assert sum(a.amount for a in settled.allocations.all()) == D("9000.00")
    assert trial_balance().is_balanced
