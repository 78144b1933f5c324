"""The back office: borrowers with their profile, security events and consents, all
read-only, and never an unmasked ID or card number."""

import datetime as dt

import pytest

from tests.accounts.factories import (
    BiometricConsentFactory,
    BorrowerProfileFactory,
    SecurityEventFactory,
    make_card_number,
    make_id_number,
)

ID_NUMBER = make_id_number(dt.date(1979, 6, 4), region="510104", sequence=77)
CARD = make_card_number(prefix="622848", length=19, serial=5)


@pytest.fixture
def profile(db):
    return BorrowerProfileFactory.create(id_number=ID_NUMBER, bank_card_number=CARD)


@pytest.fixture
def staff_en(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response.content.decode())


def assert_no_plaintext(html: str) -> None:
    assert ID_NUMBER not in html
    assert CARD not in html


def test_borrower_change_page_shows_the_profile_masked_and_read_only(staff_en, profile):
    html = page(staff_en, f"/admin/accounts/user/{profile.user.pk}/change/")
    assert profile.id_number_masked in html
    assert profile.bank_card_masked in html
    assert 'name="profile-0-full_name"' not in html  # read-only, not an input
    assert 'name="phone"' not in html  # changed by the borrower, with a security event
    assert_no_plaintext(html)


def test_borrower_list_says_who_has_a_profile(staff_en, profile):
    html = page(staff_en, "/admin/accounts/user/")
    assert profile.user.username in html
    assert "icon-yes" in html


def test_profile_admin_pages_never_show_the_numbers(staff_en, profile):
    base = f"/admin/accounts/borrowerprofile/{profile.pk}"
    for url in (
        "/admin/accounts/borrowerprofile/",
        f"{base}/change/",
        f"{base}/history/",
    ):
        html = page(staff_en, url)
        assert profile.id_number_masked in html or url.endswith("history/")
        assert_no_plaintext(html)


def test_staff_find_a_profile_by_the_full_id_number(staff_en, profile):
    other = BorrowerProfileFactory.create(full_name="赵六")
    html = page(staff_en, f"/admin/accounts/borrowerprofile/?q={ID_NUMBER}")
    assert profile.id_number_masked in html
    assert other.id_number_masked not in html
    assert "1 result" in html


def test_profiles_cannot_be_added_changed_or_deleted_in_the_admin(staff_en, profile):
    base = f"/admin/accounts/borrowerprofile/{profile.pk}"
    assert staff_en.get("/admin/accounts/borrowerprofile/add/").status_code == 403
    assert staff_en.post(f"{base}/change/", {"full_name": "改名"}).status_code == 403
    assert staff_en.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    profile.refresh_from_db()
    assert profile.full_name == "王小明"


def test_security_events_are_read_only(staff_en, db):
    event = SecurityEventFactory.create(kind="phone_changed", detail="138****8000 → 139****9000")
    html = page(staff_en, "/admin/accounts/securityevent/")
    assert "138****8000 → 139****9000" in html
    assert page(staff_en, f"/admin/accounts/securityevent/{event.pk}/change/")
    assert staff_en.get("/admin/accounts/securityevent/add/").status_code == 403
    response = staff_en.post(f"/admin/accounts/securityevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_biometric_consents_are_read_only(staff_en, db):
    consent = BiometricConsentFactory.create()
    html = page(staff_en, "/admin/accounts/biometricconsent/")
    assert consent.text_version in html
    assert staff_en.get("/admin/accounts/biometricconsent/add/").status_code == 403
    response = staff_en.post(
        f"/admin/accounts/biometricconsent/{consent.pk}/change/", {"text_version": "x"}
    )
    assert response.status_code == 403
