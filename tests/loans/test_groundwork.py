"""Contract terms fixed at acceptance, schedule versions, accrual spans and the
reconciliation of the ledger with the loans."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from closing.services import business_day_close
from common.exceptions import InvalidInput
from ledger.accounts import AccountCode
from ledger.models import JournalTransaction
from ledger.services import credit, debit, journal_transaction_post
from loans.models import (
    CONTRACT_TERM_FIELDS,
    Installment,
    Loan,
    LoanProduct,
    ScheduleVersion,
    repayment_order_validate,
)
from loans.reconciliation import ledger_reconcile
from loans.services import loan_application_submit, payout_send
from tests.loans.factories import CLIENT, MicroProductFactory, borrower

D = Decimal


@pytest.fixture
def micro(business_date):
    return MicroProductFactory.create()


@pytest.fixture
def person(micro, business_date):
    return borrower(business_date=business_date)


def draw(user, product, day, amount="1000", key="k1", term=5):
    return loan_application_submit(
        borrower=user,
        product=product,
        amount=D(amount),
        term=term,
        method="equal_principal",
        idempotency_key=key,
        client=CLIENT,
        business_date=day,
        now=timezone.now(),
        terms_accepted=True,
    ).application


def test_terms_are_fixed_at_submission_and_a_product_edit_changes_new_applications_only(
    person, micro, business_date
):
    application = draw(person, micro, business_date)
    loan = Loan.objects.get(application=application)
    # Staff change the product afterwards.
    LoanProduct.objects.filter(pk=micro.pk).update(
        grace_days=3,
        penalty_rate_multiplier=D("2.0"),
        compound_interest_enabled=False,
        repayment_allocation_order=list(reversed(micro.repayment_allocation_order)),
        prepayment_notice_days=15,
    )
    loan.refresh_from_db()
    application.refresh_from_db()
    assert application.terms_accepted_at is not None
    for holder in (application, loan):
        assert holder.grace_days == 1
        assert holder.penalty_rate_multiplier == D("1.5")
        assert holder.compound_interest_enabled is True
        assert holder.repayment_allocation_order[0] == "penalty"
        assert holder.prepayment_notice_days == 10
    for name in CONTRACT_TERM_FIELDS:
        assert getattr(loan, name) == getattr(application, name), name
    micro.refresh_from_db()
    later = draw(person, micro, business_date, amount="500", key="k2")
    assert later.grace_days == 3
    assert later.penalty_rate_multiplier == D("2.0")
    assert later.compound_interest_enabled is False


def test_the_contract_schedule_is_version_one_with_spans_over_each_period(
    person, micro, business_date
):
    application = draw(person, micro, business_date)
    loan = Loan.objects.get(application=application)
    version = ScheduleVersion.objects.get(loan=loan)
    assert (version.number, version.reason, version.effective_date) == (
        1,
        ScheduleVersion.Reason.CONTRACT,
        business_date,
    )
    assert version.principal == loan.principal
    rows = list(loan.installments.order_by("number"))
    assert {row.schedule_version_id for row in rows} == {version.pk}
    for row in rows:
        assert row.interest_span_start_date == row.period_start_date
        assert row.interest_span_base == row.opening_balance
        assert row.interest_accrued_before_span == 0
        assert row.penalty_span_start_date is None
    assert loan.oldest_unpaid_due_date == rows[0].due_date


def test_the_database_refuses_a_repayment_order_that_is_not_an_ordering_of_the_six(micro):
    for bad in (["penalty"], ["penalty"] * 6, [*micro.repayment_allocation_order[:5], "fee"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            LoanProduct.objects.filter(pk=micro.pk).update(repayment_allocation_order=bad)
        with pytest.raises(InvalidInput):
            repayment_order_validate(bad)
    shuffled = list(reversed(micro.repayment_allocation_order))
    LoanProduct.objects.filter(pk=micro.pk).update(repayment_allocation_order=shuffled)
    assert repayment_order_validate(shuffled) == shuffled


def test_accrual_spans_cannot_start_before_their_period(person, micro, business_date):
    application = draw(person, micro, business_date)
    row = Installment.objects.filter(loan__application=application).order_by("number")[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Installment.objects.filter(pk=row.pk).update(
            interest_span_start_date=row.period_start_date - dt.timedelta(days=1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Installment.objects.filter(pk=row.pk).update(
            penalty_span_start_date=row.due_date - dt.timedelta(days=1)
        )


def test_reconciliation_is_clean_after_disbursement_and_payout(person, micro, business_date):
    application = draw(person, micro, business_date)
    loan = Loan.objects.get(application=application)
    report = ledger_reconcile(business_date=business_date)
    assert report.is_clean, report
    assert report.line(AccountCode.LOAN_PRINCIPAL).ledger == D("1000.00")
    assert report.line(AccountCode.PAYOUTS_IN_TRANSIT).ledger == D("-1000.00")
    payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    report = ledger_reconcile(business_date=business_date)
    assert report.is_clean
    assert report.line(AccountCode.PAYOUTS_IN_TRANSIT).derived == D("0.00")


def test_reconciliation_finds_a_principal_posting_without_its_loan_change(
    person, micro, business_date
):
    application = draw(person, micro, business_date)
    loan = Loan.objects.get(application=application)
    journal_transaction_post(
        idempotency_key="adjustment:stray",
        kind=JournalTransaction.Kind.ADJUSTMENT,
        business_date=business_date,
        now=timezone.now(),
        postings=[
            debit(AccountCode.LOAN_PRINCIPAL, D("0.01"), loan.pk),
            credit(AccountCode.LENDING_CAPITAL, D("0.01")),
        ],
    )
    report = ledger_reconcile(business_date=business_date)
    assert not report.is_clean
    assert report.line(AccountCode.LOAN_PRINCIPAL).difference == D("0.01")
    assert [m.loan_id for m in report.loans_out_of_balance] == [loan.pk]


def test_a_close_recognises_a_day_of_interest_and_the_ledger_agrees(person, micro, business_date):
    """Closing a day posts that day's interest; derived from the loan's state it is the
    same to the fen. A loan the close could not process is recognised only up to its flag,
    which the reconciliation reads too."""
    application = draw(person, micro, business_date)
    loan = Loan.objects.get(application=application)
    business_day_close(business_date=business_date, now=timezone.now())
    day_interest = (loan.principal * loan.daily_rate).quantize(D("0.01"))
    report = ledger_reconcile(business_date=business_date + dt.timedelta(days=1))
    assert report.is_clean, report
    line = report.line(AccountCode.INTEREST_RECEIVABLE)
    assert line.ledger == line.derived == day_interest
    # Flagged from the day of the draw, the loan would owe nothing recognised yet: the
    # derived figure follows the flag and no longer matches what the ledger posted.
    Loan.objects.filter(pk=loan.pk).update(close_pending_from=business_date)
    flagged = ledger_reconcile(business_date=business_date + dt.timedelta(days=1))
    assert flagged.line(AccountCode.INTEREST_RECEIVABLE).derived == 0
    assert connection.vendor == "postgresql"


def test_the_row_by_row_reconciliation_of_the_embedded_default_agrees_with_the_sql(
    person, micro, business_date
):
    """SQLite has no exact decimals in SQL; its reconciliation runs the pure functions row
    by row. On the same book both give the same figures."""
    from loans.reconciliation import _reconcile_orm

    draw(person, micro, business_date)
    draw(person, micro, business_date, amount="700", key="k2", term=10)
    business_day_close(business_date=business_date, now=timezone.now())
    day = business_date + dt.timedelta(days=1)
    assert _reconcile_orm(day) == ledger_reconcile(business_date=day)
