"""The face-check pages: what the borrower is offered in each situation."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.consent import BIOMETRIC_CONSENT_VERSION
from accounts.selectors import biometric_consent_active
from tests.loans.factories import CLIENT, MicroProductFactory, borrower
from tests.verification.support import waiting_application
from verification.services import face_enrol, manual_review_decide, manual_review_request


def logged_in(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
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


def _href(page: str, element_id: str) -> str:
    match = re.search(rf'href="([^"]+)" id="{element_id}"', page)
    assert match, element_id
    return html.unescape(match.group(1))


def test_giving_the_consent_returns_to_the_face_check(business_date):
    MicroProductFactory.create()
    person = borrower(business_date=business_date)
    application = waiting_application(person, business_date)
    client = logged_in(person)
    face_check = f"/applications/{application.public_id}/face-check/"
    consent_link = _href(client.get(face_check).content.decode(), "consent-link")
    assert consent_link.startswith(reverse("loans:profile") + "?next=")
    profile = client.get(consent_link).content.decode()
    assert f'<input type="hidden" name="next" value="{face_check}">' in profile
    response = client.post(
        reverse("accounts:biometric-consent"),
        {"text_version": BIOMETRIC_CONSENT_VERSION, "agree": "on", "next": face_check},
    )
    assert response.status_code == 302
    assert response["Location"] == face_check
    assert biometric_consent_active(user=person) is not None
    page = client.get(face_check).content.decode()
    assert "Thank you. You have agreed to face recognition." in page
    assert 'id="enrol-link"' in page  # the next step of the same face check


def test_a_refused_consent_form_keeps_where_to_return(business_date):
    MicroProductFactory.create()
    person = borrower(business_date=business_date)
    face_check = f"/applications/{waiting_application(person, business_date).public_id}/face-check/"
    page = logged_in(person).post(
        reverse("accounts:biometric-consent"),
        {"text_version": BIOMETRIC_CONSENT_VERSION, "next": face_check},
    )
    assert page.status_code == 200
    assert f'name="next" value="{face_check}"' in page.content.decode()
    assert biometric_consent_active(user=person) is None


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/applications/",
        "//evil.example/x",
        "/\\evil.example/x",
        "javascript:alert(1)",
        "/applications/\r\nSet-Cookie: x=1",
        "applications/",
        "/" + "a" * 3000,
    ],
)
def test_the_consent_never_sends_the_borrower_off_site(business_date, elsewhere):
    MicroProductFactory.create()
    person = borrower(business_date=business_date)
    client = logged_in(person)
    profile = client.get(reverse("loans:profile"), {"next": elsewhere}).content.decode()
    consent_section = profile.split('id="biometric-consent"', 1)[1].split("</section>", 1)[0]
    assert "<form" in consent_section
    assert 'name="next"' not in consent_section
    response = client.post(
        reverse("accounts:biometric-consent"),
        {"text_version": BIOMETRIC_CONSENT_VERSION, "agree": "on", "next": elsewhere},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("loans:profile")


def _timeline(page: str) -> str:
    return page.split('class="timeline"', 1)[1].split("</ol>", 1)[0]


def test_after_a_staff_review_the_history_says_so(consenting, business_date, admin_user):
    application = waiting_application(consenting, business_date)
    review = manual_review_request(
        borrower=consenting,
        application_public_id=application.public_id,
        reason="no_camera",
        note="",
        now=timezone.now(),
    )
    manual_review_decide(
        review_id=review.pk,
        reviewer=admin_user,
        approve=True,
        note="Video call, ID card shown and matched",
        business_date=business_date,
        now=timezone.now(),
    )
    url = f"/applications/{application.public_id}/"
    english = _timeline(logged_in(consenting).get(url).content.decode())
    assert "Approved by staff review" in english
    assert "Face check passed" not in english
    chinese = _timeline(logged_in(consenting, "zh-hans").get(url).content.decode())
    assert "已通过人工审核" in chinese
    assert "人脸核验已通过" not in chinese
