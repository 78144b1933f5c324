"""The face-check pages: what the borrower is offered in each situation."""

from django.test import Client
from django.utils import timezone

from tests.loans.factories import CLIENT, borrower
from tests.verification.support import waiting_application
from verification.services import face_enrol


def logged_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_face_check_page_guides_through_consent_enrolment_and_the_check(
    consenting, reference_photo, business_date
):
    application = waiting_application(consenting, business_date)
    client = logged_in(consenting)
    detail = client.get(f"/applications/{application.public_id}/").content.decode()
    assert f'href="/applications/{application.public_id}/face-check/"' in detail
    page = client.get(f"/applications/{application.public_id}/face-check/").content.decode()
    assert 'id="enrol-link"' in page
    assert 'id="manual-review"' in page
    face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    page = client.get(f"/applications/{application.public_id}/face-check/").content.decode()
    assert 'id="start"' in page
    assert "Attempts left: 3" in page
    assert '"step_ms": 3000' in page  # the capture timeline the script follows


def test_without_consent_the_page_offers_consent_or_manual_review(business_date):
    from tests.loans.factories import MicroProductFactory

    MicroProductFactory.create()
    person = borrower(business_date=business_date)
    application = waiting_application(person, business_date)
    client = logged_in(person)
    page = client.get(f"/applications/{application.public_id}/face-check/").content.decode()
    assert "#biometric-consent" in page
    assert 'id="start"' not in page
    response = client.post(
        f"/applications/{application.public_id}/manual-review/",
        {"reason": "no_consent", "note": ""},
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "You asked for a manual review." in detail


def test_face_pages_are_the_borrowers_own(consenting, business_date):
    application = waiting_application(consenting, business_date)
    stranger = logged_in(borrower(business_date=business_date))
    assert stranger.get(f"/applications/{application.public_id}/face-check/").status_code == 404
    assert (
        stranger.post(
            f"/applications/{application.public_id}/manual-review/", {"reason": "no_camera"}
        ).status_code
        == 404
    )
    assert Client().get("/face/enrol/").status_code == 302


def test_enrol_page(consenting):
    page = logged_in(consenting).get("/face/enrol/?next=/home/").content.decode()
    assert 'id="open-camera"' in page
    assert '"next_url": "/home/"' in page
    evil = logged_in(consenting).get("/face/enrol/?next=https://evil.example/").content.decode()
    assert '"next_url": "/accounts/profile/"' in evil  # a foreign URL is never followed
