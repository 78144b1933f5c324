"""Maker-checker on every approval by staff: whoever made or asked for something never
approves it (prepayment applications have theirs in tests/repayments/test_prepayments.py)."""

import pytest
from django.utils import timezone

from common.exceptions import Conflict
from loans.models import LoanApplication
from loans.services import FaceCheckPending, loan_application_approve
from tests.accounts.factories import UserFactory
from tests.verification.support import waiting_application
from verification.models import ManualReview
from verification.services import manual_review_decide, manual_review_request

pytestmark = pytest.mark.django_db


def test_a_member_of_staff_never_decides_their_own_manual_review(consenting, business_date):
    application = waiting_application(consenting, business_date)
    review = manual_review_request(
        borrower=consenting,
        application_public_id=application.public_id,
        reason="no_camera",
        note="",
        now=timezone.now(),
    )
    consenting.is_staff = True  # an employee who is also a borrower
    consenting.save()
    with pytest.raises(Conflict) as caught:
        manual_review_decide(
            review_id=review.pk,
            reviewer=consenting,
            approve=True,
            note="It is me",
            business_date=business_date,
            now=timezone.now(),
        )
    assert caught.value.code == "maker_checker"
    review.refresh_from_db()
    assert (review.status, review.reviewer) == (ManualReview.Status.PENDING, None)
    assert LoanApplication.objects.get(pk=application.pk).status == "face_check_required"


def test_a_member_of_staff_never_approves_their_own_application(consenting, business_date):
    application = waiting_application(consenting, business_date)
    with pytest.raises(Conflict) as caught:
        loan_application_approve(
            application_id=application.pk, now=timezone.now(), actor=consenting
        )
    assert caught.value.code == "maker_checker"
    # Someone else is stopped only by the face gate, not by the maker-checker rule.
    with pytest.raises(FaceCheckPending):
        loan_application_approve(
            application_id=application.pk,
            now=timezone.now(),
            actor=UserFactory.create(is_staff=True),
        )
    assert LoanApplication.objects.get(pk=application.pk).status == "face_check_required"
