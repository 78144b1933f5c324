"""Cancellation and the unwinding of a declined payout, in every state; and the rows a
disbursement locks."""

import threading

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from common.exceptions import Conflict
from ledger.models import JournalTransaction
from ledger.selectors import trial_balance
from loans.models import ApplicationStatus, CreditLine, Loan, LoanApplication, Payout
from loans.selectors import credit_line_available
from loans.services import (
    loan_application_cancel,
    loan_disburse,
    payout_send,
)
from tests.loans.factories import MicroProductFactory, borrower
from tests.loans.test_apis_borrower import client_for
from tests.loans.test_pages import logged_in
from tests.loans.test_services import counts, daytime, submit

S = ApplicationStatus
CANCELLABLE = [S.SUBMITTED, S.FACE_CHECK_REQUIRED, S.FACE_CHECK_PASSED]
NOT_CANCELLABLE = [S.APPROVED, S.DISBURSED, S.REFUSED, S.CANCELLED, S.EXPIRED]


@pytest.fixture
def micro(business_date):
    return MicroProductFactory.create()


@pytest.fixture
def person(micro, business_date):
    return borrower(business_date=business_date)


def application_in(status, person, micro):
    """An application of `person` in `status`: a real disbursement for DISBURSED, else a
    face-checked second draw moved to the state (the face gate's constraint holds)."""
    first = submit(person, micro, amount="1000", when=daytime()).application
    if status == S.DISBURSED:
        return first
    application = submit(person, micro, amount="8000", when=daytime()).application
    assert application.status == S.FACE_CHECK_REQUIRED
    LoanApplication.objects.filter(pk=application.pk).update(
        status=status, face_check_passed_at=timezone.now()
    )
    return LoanApplication.objects.get(pk=application.pk)


@pytest.mark.parametrize("status", CANCELLABLE)
def test_a_waiting_application_can_be_cancelled(person, micro, status):
    application = application_in(status, person, micro)
    cancelled = loan_application_cancel(
        application_id=application.pk, borrower=person, now=timezone.now()
    )
    assert cancelled.status == S.CANCELLED
    assert cancelled.events.filter(to_status=S.CANCELLED, actor=person).exists()


@pytest.mark.parametrize("status", NOT_CANCELLABLE)
def test_cancellation_is_refused_once_disbursement_started_or_closed(
    person,
    micro,
    status,
):
    application = application_in(status, person, micro)
    before = (counts(), application.events.count())
    with pytest.raises(Conflict) as refused:
        loan_application_cancel(application_id=application.pk, borrower=person, now=timezone.now())
    assert refused.value.code == "invalid_transition"
    application.refresh_from_db()
    assert application.status == status
    assert (counts(), application.events.count()) == before


def test_the_api_and_the_page_refuse_to_cancel_a_disbursed_application(person, micro):
    application = application_in(S.DISBURSED, person, micro)
    response = client_for(person).post(f"/api/v1/applications/{application.public_id}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    page = logged_in(person).post(
        f"/applications/{application.public_id}/", {"action": "cancel"}, follow=True
    )
    assert "can no longer be cancelled" in page.content.decode()
    application.refresh_from_db()
    assert application.status == S.DISBURSED
    assert Loan.objects.get(application=application).status == Loan.Status.ACTIVE


def test_a_declined_payout_unwinds_after_a_refused_cancellation(micro, business_date):
    declined = borrower(business_date=business_date, card_ending="0002")
    application = submit(declined, micro, amount="3000", when=daytime()).application
    assert application.status == S.DISBURSED
    with pytest.raises(Conflict):
        loan_application_cancel(
            application_id=application.pk, borrower=declined, now=timezone.now()
        )
    loan = Loan.objects.get(application=application)
    payout = payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    assert payout.status == Payout.Status.FAILED
    application.refresh_from_db()
    assert application.status == S.CANCELLED
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED


def test_a_declined_payout_always_unwinds_even_if_the_application_says_cancelled(
    micro,
    business_date,
):
    """An application cancelled by its borrower after disbursement (the old rule allowed
    it): the payout must still unwind rather than stay pending forever."""
    declined = borrower(business_date=business_date, card_ending="0002")
    application = submit(declined, micro, amount="3000", when=daytime()).application
    LoanApplication.objects.filter(pk=application.pk).update(status=S.CANCELLED)
    loan = Loan.objects.get(application=application)
    payout = payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    assert payout.status == Payout.Status.FAILED
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED
    assert loan.principal_outstanding == 0
    assert JournalTransaction.objects.filter(kind=JournalTransaction.Kind.REVERSAL).count() == 1
    line = CreditLine.objects.get(borrower=declined)
    assert credit_line_available(line=line) == line.limit
    assert trial_balance().is_balanced
    # Safe to run again.
    again = payout_send(payout_id=payout.pk, business_date=business_date, now=timezone.now())
    assert again.status == Payout.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_disbursement_does_not_lock_the_product_or_the_borrower(business_date):
    """Another transaction holds the product row and the borrower row (a staff edit of the
    product, a sign-in updating last_login): the disbursement still goes through, because
    it locks only the application (and the line), not the rows it merely reads."""
    product = MicroProductFactory.create()
    user = borrower(business_date=business_date)
    application = application_in(S.APPROVED, user, product)
    holding, release, failure = threading.Event(), threading.Event(), []

    def hold_rows():
        try:
            with connection.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(
                    "UPDATE loans_loanproduct SET name = name WHERE id = %s", [product.pk]
                )
                cursor.execute(
                    "UPDATE accounts_user SET last_login = now() WHERE id = %s", [user.pk]
                )
                holding.set()
                release.wait(timeout=30)
                cursor.execute("ROLLBACK")
        except Exception as exc:  # the test reports what the other connection hit
            failure.append(exc)
            holding.set()
        finally:
            connection.close()

    other = threading.Thread(target=hold_rows)
    other.start()
    assert holding.wait(timeout=30)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            result = loan_disburse(
                application_id=application.pk, business_date=business_date, now=timezone.now()
            )
        except OperationalError as exc:  # lock timeout: it waited for the product or user
            pytest.fail(f"the disbursement waited for a row it only reads: {exc}")
        assert result.loan is not None
    finally:
        release.set()
        other.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert not failure
