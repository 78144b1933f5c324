"""Reads that own a rule (loans/selectors.py): available credit and an installment's
overdue state, each decided in one place."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from loans.models import Installment, Loan
from loans.selectors import (
    credit_line_available,
    credit_lines_for_borrower,
    installment_overdue,
    installment_state,
    loan_count_ever_overdue,
)
from loans.services import loan_application_submit
from tests.loans.factories import CLIENT, MicroProductFactory, borrower

D = Decimal


@pytest.fixture
def loan(business_date):
    """A first small draw of 2,500.00 (approved and disbursed straight away), due the 10th,
    one grace day."""
    product = MicroProductFactory.create()
    person = borrower(business_date=business_date)  # granted a line on the product
    application = loan_application_submit(
        borrower=person,
        product=product,
        amount=D("2500.00"),
        term=5,
        method="equal_principal",
        idempotency_key="first",
        client=CLIENT,
        business_date=business_date,
        now=timezone.now(),
        terms_accepted=True,
    ).application
    loan = Loan.objects.select_related("credit_line").get(application=application)
    assert loan.grace_days == 1
    return loan


def test_available_credit_is_one_figure_wherever_it_is_read(loan):
    line = loan.credit_line
    assert credit_line_available(line=line) == line.limit - D("2500.00")
    [view] = credit_lines_for_borrower(borrower=loan.borrower)
    assert view.available == credit_line_available(line=line)
    assert view.open_loans == 1
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.SETTLED, principal_outstanding=0)
    assert credit_line_available(line=line) == line.limit  # a settled draw frees its principal


def test_an_installment_is_overdue_once_its_grace_has_passed(loan):
    first = loan.installments.order_by("number").first()
    assert first.due_date == dt.date(2024, 6, 10)
    days = {
        dt.date(2024, 6, 9): ("upcoming", False),
        dt.date(2024, 6, 10): ("due", False),
        dt.date(2024, 6, 11): ("due", False),  # the grace day
        dt.date(2024, 6, 12): ("overdue", True),
    }
    for day, (state, overdue) in days.items():
        assert installment_state(first, business_date=day, grace_days=1) == state, day
        assert installment_overdue(first, business_date=day, grace_days=1) is overdue, day
        assert loan_count_ever_overdue(borrower=loan.borrower, business_date=day) == int(overdue)


def test_a_loan_that_was_overdue_counts_after_it_is_paid(loan):
    first = loan.installments.order_by("number").first()
    late = dt.date(2024, 6, 20)
    Installment.objects.filter(pk=first.pk).update(
        status=Installment.Status.PAID, paid_date=first.due_date
    )
    first.refresh_from_db()
    assert not installment_overdue(first, business_date=late, grace_days=1)
    assert installment_state(first, business_date=late, grace_days=1) == "paid"
    assert loan_count_ever_overdue(borrower=loan.borrower, business_date=late) == 0
    Installment.objects.filter(pk=first.pk).update(
        penalty_accrued_before_span=D("1.50"), penalty_paid=D("1.50")
    )
    assert loan_count_ever_overdue(borrower=loan.borrower, business_date=late) == 1


def test_the_close_of_business_marking_overdue_is_overdue_whatever_the_date(loan):
    first = loan.installments.order_by("number").first()
    first.status = Installment.Status.OVERDUE
    assert installment_overdue(first, business_date=dt.date(2024, 6, 1), grace_days=1)
