"""What a borrower is told as an application moves (loans/services/notices.py)."""

import pytest
from django.utils import timezone

from loans.models import Loan
from loans.services import loan_application_approve, loan_application_submit, payout_send
from notifications.models import Notification
from tests.loans.factories import CLIENT, MicroProductFactory, borrower

Kind = Notification.Kind


@pytest.fixture
def micro(business_date):
    return MicroProductFactory.create()


def submit(person, amount, business_date, key="k"):
    return loan_application_submit(
        borrower=person,
        product=micro_product(),
        amount=amount,
        term=5,
        method="equal_principal",
        idempotency_key=key,
        client=CLIENT,
        business_date=business_date,
        now=timezone.now(),
        terms_accepted=True,
    ).application


def micro_product():
    from loans.models import LoanProduct

    return LoanProduct.objects.get(code="weili")


def kinds(person, after=0):
    notices = Notification.objects.filter(user=person, pk__gt=after).order_by("pk")
    return list(notices.values_list("kind", flat=True))


def test_a_loan_paid_out_at_once_is_one_notice(micro, business_date):
    from decimal import Decimal

    person = borrower(business_date=business_date)
    from loans.models import RiskRule

    RiskRule.objects.update(enabled=False)
    application = submit(person, Decimal("1000"), business_date)
    assert application.status == "disbursed"
    assert kinds(person) == [Kind.LOAN_DISBURSED]
    notice = Notification.objects.get(user=person)
    assert notice.link == f"/applications/{application.public_id}/"
    assert notice.context["amount"] == "1000.00"
    assert notice.context["card"].endswith(person.profile.bank_card_masked[-4:])


def test_a_face_check_needed_links_to_the_check(micro, business_date):
    from decimal import Decimal

    person = borrower(business_date=business_date)
    application = submit(person, Decimal("8000"), business_date)
    assert application.status == "face_check_required"
    notice = Notification.objects.get(user=person)
    assert notice.kind == Kind.FACE_CHECK_NEEDED
    assert notice.link == f"/applications/{application.public_id}/face-check/"


def test_a_declined_payout_is_announced(micro, business_date):
    from decimal import Decimal

    from loans.models import RiskRule

    RiskRule.objects.update(enabled=False)
    person = borrower(business_date=business_date, card_ending="0002")
    application = submit(person, Decimal("1000"), business_date)
    loan = Loan.objects.get(application=application)
    payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    assert kinds(person) == [Kind.LOAN_DISBURSED, Kind.PAYOUT_FAILED]


def test_staff_approval_and_refusal_are_announced(micro, business_date, admin_user):
    from decimal import Decimal

    from loans.services import loan_application_refuse

    person = borrower(business_date=business_date)
    application = submit(person, Decimal("8000"), business_date)
    application.face_check_required = False
    application.save(update_fields=["face_check_required"])
    loan_application_refuse(
        application_id=application.pk,
        now=timezone.now(),
        code="refused_by_staff",
        reason="Documents do not match.",
        actor=admin_user,
    )
    assert kinds(person) == [Kind.FACE_CHECK_NEEDED, Kind.APPLICATION_REFUSED]
    other = submit(person, Decimal("8000"), business_date, key="k2")
    other.face_check_required = False
    other.save(update_fields=["face_check_required"])
    seen = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    # FACE_CHECK_REQUIRED cannot be approved directly; a staff approval is announced once.
    from loans.models import ApplicationStatus

    type(other).objects.filter(pk=other.pk).update(status=ApplicationStatus.FACE_CHECK_PASSED)
    loan_application_approve(application_id=other.pk, now=timezone.now(), actor=admin_user)
    assert kinds(person, after=seen) == [Kind.APPLICATION_APPROVED]
