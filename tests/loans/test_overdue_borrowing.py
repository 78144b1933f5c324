"""A borrower with anything overdue borrows again only where the product says so
(`LoanProduct.lend_while_overdue`, off by default): the quote, the submission and the
payout all refuse, and Home shows no "Borrow now"."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from common.exceptions import InvalidInput
from loans.models import Installment, LoanApplication, Method
from loans.services import loan_application_submit
from tests.loans.factories import CLIENT, MicroProductFactory, borrower
from tests.repayments.factories import disbursed_loan

pytestmark = pytest.mark.django_db


def _overdue_borrower(business_date):
    product = MicroProductFactory.create()
    user = borrower(business_date=business_date)
    loan = disbursed_loan(
        user, product, amount="1000.00", term=5, method=Method.EQUAL_PRINCIPAL, on=business_date
    )
    first = loan.installments.order_by("number")[0]
    Installment.objects.filter(pk=first.pk).update(status=Installment.Status.OVERDUE)
    return user, product


def _submit(user, product, business_date, key):
    return loan_application_submit(
        borrower=user,
        product=product,
        amount=Decimal("500.00"),
        term=5,
        method=Method.EQUAL_PRINCIPAL,
        idempotency_key=key,
        client=CLIENT,
        business_date=business_date,
        now=timezone.now(),
        terms_accepted=True,
    )


def test_an_overdue_installment_stops_a_new_loan(business_date):
    user, product = _overdue_borrower(business_date)
    before = LoanApplication.objects.count()
    with pytest.raises(InvalidInput) as refused:
        _submit(user, product, business_date, "second")
    assert refused.value.code == "overdue_unpaid"
    assert LoanApplication.objects.count() == before


def test_a_product_may_lend_while_something_is_overdue(business_date):
    user, product = _overdue_borrower(business_date)
    product.lend_while_overdue = True
    product.save(update_fields=["lend_while_overdue"])
    result = _submit(user, product, business_date, "second")
    assert result.application.status == "disbursed"


def test_paid_up_borrowers_borrow_again(business_date):
    user, product = _overdue_borrower(business_date)
    Installment.objects.filter(status=Installment.Status.OVERDUE).update(
        status=Installment.Status.DUE
    )
    assert _submit(user, product, business_date, "second").application.status == "disbursed"


def test_home_shows_no_borrow_button_while_overdue(business_date):
    user, product = _overdue_borrower(business_date)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    page = client.get("/home/").content.decode()
    assert 'id="borrowing-blocked"' in page
    assert 'id="borrow-now"' not in page
    product.lend_while_overdue = True
    product.save(update_fields=["lend_while_overdue"])
    page = client.get("/home/").content.decode()
    assert 'id="borrow-now"' in page
