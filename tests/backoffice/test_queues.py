"""The work queues the dashboard links to: face checks sent to manual review, decided in
the admin (approve: the loan is paid out; reject: the application is refused)."""

from django.utils import timezone

from loans.models import ApplicationStatus, Loan
from tests.backoffice import factories as f
from verification.models import ManualReview
from verification.services import manual_review_request


def _waiting_review(on):
    application = f.face_check_waiting(on)
    return manual_review_request(
        borrower=application.borrower,
        application_public_id=application.public_id,
        reason=ManualReview.Reason.NO_CAMERA,
        note="My phone has no camera",
        now=timezone.now(),
    )


def test_staff_confirm_an_identity_from_the_manual_review_queue(admin_client, business_date):
    review = _waiting_review(business_date)
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    queue = admin_client.get("/admin/verification/manualreview/?status__exact=pending")
    assert f"/admin/verification/manualreview/{review.pk}/change/" in queue.content.decode()
    url = f"/admin/verification/manualreview/{review.pk}/decide/"
    assert "My phone has no camera" in admin_client.get(url).content.decode()
    # A decision needs a note of how the identity was checked.
    assert admin_client.post(url, {"decision": "approve"}).status_code == 200
    review.refresh_from_db()
    assert review.status == ManualReview.Status.PENDING
    response = admin_client.post(url, {"decision": "approve", "note": "Video call, ID shown"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ManualReview.Status.APPROVED
    assert review.reviewer.username == "admin"
    assert Loan.objects.filter(application=review.application).exists()


def test_staff_reject_an_identity_and_the_application_is_refused(admin_client, business_date):
    review = _waiting_review(business_date)
    url = f"/admin/verification/manualreview/{review.pk}/decide/"
    response = admin_client.post(url, {"decision": "reject", "note": "Face does not match ID"})
    assert response.status_code == 302
    review.application.refresh_from_db()
    assert review.application.status == ApplicationStatus.REFUSED
    assert review.application.refusal_code == "manual_review_rejected"
    assert not Loan.objects.filter(application=review.application).exists()


def test_staff_without_the_permission_cannot_decide(client, business_date):
    review = _waiting_review(business_date)
    client.force_login(f.staff_member())
    url = f"/admin/verification/manualreview/{review.pk}/decide/"
    assert client.post(url, {"decision": "approve", "note": "x"}).status_code == 403
    review.refresh_from_db()
    assert review.status == ManualReview.Status.PENDING
