"""The profile page: real-name details, mobile number, bank card, biometric consent.
A stored ID or card number is only ever shown masked; a form with an error gives back what
the borrower just typed (on a page that is never cached), so nothing has to be typed again."""

import datetime as dt

import pytest

from accounts.consent import BIOMETRIC_CONSENT_TEXT, BIOMETRIC_CONSENT_VERSION
from accounts.models import AgreementAcceptance, BiometricConsent, BorrowerProfile
from loans.models import CreditLine
from tests.accounts.factories import (
    BorrowerProfileFactory,
    make_card_number,
    make_id_number,
    wrong_check_character,
)
from tests.accounts.snapshots import accounts_state

URL = "/accounts/profile/"
ID_NUMBER = make_id_number(dt.date(1992, 12, 1), region="440305", sequence=8)
CARD = make_card_number(prefix="621483", serial=31)


@pytest.fixture
def signed_in(client, borrower):
    client.force_login(borrower)
    return client


@pytest.fixture
def signed_in_en(signed_in):
    signed_in.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return signed_in


@pytest.fixture
def with_profile(client, db):
    profile = BorrowerProfileFactory.create(id_number=ID_NUMBER, bank_card_number=CARD)
    client.force_login(profile.user)
    return profile


def html(response) -> str:
    return str(response.content.decode())


def form(borrower, **overrides):
    values = {
        "full_name": "陈静",
        "id_number": ID_NUMBER,
        "phone": borrower.phone,
        "bank_card_number": CARD,
        "bank_name": "平安银行",
        "credit_report": "on",
    }
    values.update(overrides)
    return values


def test_profile_page_needs_a_borrower(client, staff):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_incomplete_profile_shows_the_form_and_the_consent_text(signed_in, borrower):
    response = signed_in.get(URL)
    assert response.status_code == 200
    page = html(response)
    assert 'lang="zh-hans"' in page
    assert 'name="id_number"' in page
    assert f'value="{borrower.phone}"' in page
    assert BIOMETRIC_CONSENT_TEXT["zh-hans"].splitlines()[0] in page
    assert BIOMETRIC_CONSENT_VERSION in page


def test_profile_page_in_english(signed_in_en):
    page = html(signed_in_en.get(URL))
    assert 'lang="en"' in page
    assert "Complete your real-name details" in page
    assert BIOMETRIC_CONSENT_TEXT["en"].splitlines()[0] in page


def test_completing_the_profile_on_the_page(signed_in, borrower, micro_product):
    response = signed_in.post(URL, form(borrower))
    assert response.status_code == 302
    assert response["Location"] == "/credit-line/?granted=1"
    profile = BorrowerProfile.objects.get(user=borrower)
    assert profile.id_number == ID_NUMBER
    assert CreditLine.objects.filter(borrower=borrower).exists()
    assert AgreementAcceptance.objects.get(user=borrower).document == "credit_report"
    moment = html(signed_in.get(response["Location"]))
    assert 'id="granted-limit"' in moment
    assert 'id="borrow"' in moment
    page = html(signed_in.get(URL))
    assert profile.id_number_masked in page
    assert profile.bank_card_masked in page
    assert ID_NUMBER not in page
    assert CARD not in page


def test_profile_errors_keep_what_was_typed(signed_in_en, borrower, micro_product):
    bad_id = wrong_check_character(ID_NUMBER)
    before = accounts_state()
    response = signed_in_en.post(URL, form(borrower, id_number=bad_id))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = html(response)
    assert "its last character does not match" in page
    assert 'id="id_id_number_error1"' in page
    assert f'value="{bad_id}"' in page
    assert f'value="{CARD}"' in page
    assert 'value="陈静"' in page
    response = signed_in_en.post(URL, form(borrower, bank_card_number="6222020000000016"))
    assert "This card number is not valid" in html(response)
    assert 'value="6222020000000016"' in html(response)
    assert accounts_state() == before


def test_profile_errors_are_shown_all_at_once(signed_in_en, borrower, micro_product):
    before = accounts_state()
    response = signed_in_en.post(
        URL,
        form(
            borrower,
            full_name="x",
            id_number=wrong_check_character(ID_NUMBER),
            bank_card_number="6222020000000016",
            bank_name="",
            credit_report="",
        ),
    )
    page = html(response)
    for field in ("full_name", "id_number", "bank_card_number", "bank_name", "credit_report"):
        assert f'id="id_{field}_error1"' in page, field
    assert accounts_state() == before


def test_profile_form_requires_every_field(signed_in, borrower):
    before = accounts_state()
    response = signed_in.post(URL, {"full_name": "陈静", "phone": borrower.phone})
    assert response.status_code == 200
    page = html(response)
    for field in ("id_number", "bank_card_number", "bank_name", "credit_report"):
        assert f'id="id_{field}_error1"' in page, field
    assert accounts_state() == before


def test_taken_id_number_on_the_page(signed_in_en, borrower, micro_product):
    BorrowerProfileFactory.create(id_number=ID_NUMBER)
    before = accounts_state()
    response = signed_in_en.post(URL, form(borrower))
    assert "already registered to another account" in html(response)
    assert accounts_state() == before


def test_complete_profile_shows_masked_details_only(client, with_profile):
    page = html(client.get(URL))
    assert f'<dd id="id-number-masked">{with_profile.id_number_masked}</dd>' in page
    assert f'<dd id="bank-card-masked">{with_profile.bank_card_masked}</dd>' in page
    assert ID_NUMBER not in page
    assert CARD not in page
    assert 'name="id_number"' not in page  # no completion form any more


def test_phone_change_on_the_page(client, with_profile):
    response = client.post("/accounts/profile/phone/", {"phone": "137 0000 0001"})
    assert response.status_code == 302
    with_profile.user.refresh_from_db()
    assert with_profile.user.phone == "13700000001"
    assert with_profile.user.security_events.filter(kind="phone_changed").exists()


def test_phone_change_error(client, with_profile):
    before = accounts_state()
    response = client.post("/accounts/profile/phone/", {"phone": "12345"})
    assert response.status_code == 200
    assert 'id="id_phone_error1"' in html(response)
    assert accounts_state() == before


def test_bank_card_change_on_the_page(client, with_profile):
    new_card = make_card_number(serial=99)
    response = client.post(
        "/accounts/profile/bank-card/", {"bank_card_number": new_card, "bank_name": "中信银行"}
    )
    assert response.status_code == 302
    page = html(client.get(URL))
    assert f"6222 **** **** {new_card[-4:]}" in page
    assert new_card not in page
    assert with_profile.user.security_events.filter(kind="bank_card_changed").exists()


def test_bank_card_change_error_keeps_the_typed_number(client, with_profile):
    before = accounts_state()
    response = client.post(
        "/accounts/profile/bank-card/",
        {"bank_card_number": "6222020000000016", "bank_name": "中信银行"},
    )
    assert response.status_code == 200
    page = html(response)
    assert 'id="id_bank_card_number_error1"' in page
    assert 'value="6222020000000016"' in page
    assert CARD not in page  # the stored card is never shown
    assert accounts_state() == before


def test_bank_card_change_before_completion_is_refused(signed_in):
    before = accounts_state()
    response = signed_in.post(
        "/accounts/profile/bank-card/",
        {"bank_card_number": CARD, "bank_name": "中信银行"},
    )
    assert response.status_code == 200
    assert accounts_state() == before


def test_consent_needs_the_box_ticked(signed_in_en, borrower):
    response = signed_in_en.post(
        "/accounts/profile/biometric-consent/", {"text_version": BIOMETRIC_CONSENT_VERSION}
    )
    assert response.status_code == 200
    assert "Tick the box to give your consent." in html(response)
    assert not BiometricConsent.objects.exists()


def test_consent_grant_and_withdraw_on_the_page(signed_in_en, borrower):
    response = signed_in_en.post(
        "/accounts/profile/biometric-consent/",
        {"text_version": BIOMETRIC_CONSENT_VERSION, "agree": "on"},
    )
    assert response.status_code == 302
    consent = BiometricConsent.objects.get(user=borrower)
    assert consent.device_id != ""  # the browser's device cookie
    page = html(signed_in_en.get(URL))
    assert "Consent given" in page
    assert "Withdraw my consent" in page
    response = signed_in_en.post("/accounts/profile/biometric-consent/withdraw/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    page = html(signed_in_en.get(URL))
    assert "You have withdrawn your consent" in page
    assert "I agree" in page


def test_withdraw_without_consent_says_so(signed_in_en):
    response = signed_in_en.post("/accounts/profile/biometric-consent/withdraw/", follow=True)
    assert "You have not given consent to face recognition." in html(response)


def test_consent_to_an_old_text_is_refused_on_the_page(signed_in_en, borrower):
    response = signed_in_en.post(
        "/accounts/profile/biometric-consent/", {"text_version": "2001-01-01", "agree": "on"}
    )
    assert response.status_code == 200
    assert "The consent text has changed" in html(response)
    assert not BiometricConsent.objects.exists()


def test_post_only_actions_refuse_get(signed_in):
    for url in (
        "/accounts/profile/phone/",
        "/accounts/profile/bank-card/",
        "/accounts/profile/biometric-consent/",
        "/accounts/profile/biometric-consent/withdraw/",
    ):
        assert signed_in.get(url).status_code == 405
