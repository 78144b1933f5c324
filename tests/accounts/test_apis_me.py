"""The caller's own profile and biometric consent (accounts/apis/me.py)."""

import datetime as dt
import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.consent import BIOMETRIC_CONSENT_TEXT, BIOMETRIC_CONSENT_VERSION
from accounts.models import BiometricConsent, BorrowerProfile
from loans.models import CreditLine
from tests.accounts.factories import (
    BiometricConsentFactory,
    BorrowerProfileFactory,
    UserFactory,
    make_card_number,
    make_id_number,
    wrong_check_character,
)
from tests.accounts.snapshots import accounts_state

PROFILE = "/api/v1/me/profile/"
CONSENT = "/api/v1/me/biometric-consent/"
ID_NUMBER = make_id_number(dt.date(1988, 8, 8), region="310104", sequence=51)
CARD = make_card_number(serial=4242)


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def put(client, body):
    return client.put(PROFILE, data=json.dumps(body), content_type="application/json")


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == code


@pytest.fixture
def full_body(borrower):
    return {
        "full_name": "李华",
        "id_number": ID_NUMBER,
        "phone": borrower.phone,
        "bank_card_number": CARD,
        "bank_name": "工商银行",
        "credit_report_authorised": True,
    }


def test_profile_of_a_new_borrower_is_incomplete(borrower):
    response = token_client(borrower).get(PROFILE)
    assert response.status_code == 200
    data = response.json()
    assert data["complete"] is False
    assert data["phone"] == borrower.phone
    assert data["id_number_masked"] is None


def test_put_completes_the_profile_and_shows_only_masks(borrower, full_body, micro_product):
    client = token_client(borrower)
    response = put(client, full_body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["complete"] is True
    assert data["full_name"] == "李华"
    assert data["id_number_masked"] == f"310***********{ID_NUMBER[-4:]}"
    assert data["bank_card_masked"] == f"6222 **** **** {CARD[-4:]}"
    assert data["birth_date"] == "1988-08-08"
    assert ID_NUMBER not in response.content.decode()
    assert CARD not in response.content.decode()
    assert CreditLine.objects.filter(borrower=borrower).exists()
    again = client.get(PROFILE)
    assert again.json() == data
    assert ID_NUMBER not in again.content.decode()


def test_put_edits_the_phone_and_card(borrower, full_body, micro_product):
    client = token_client(borrower)
    put(client, full_body)
    new_card = make_card_number(serial=777)
    response = put(client, {"phone": "13700137000", "bank_card_number": new_card})
    assert response.status_code == 200
    data = response.json()
    assert data["phone"] == "13700137000"
    assert data["bank_card_masked"].endswith(new_card[-4:])
    kinds = set(borrower.security_events.values_list("kind", flat=True))
    assert {"phone_changed", "bank_card_changed"} <= kinds


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"full_name": "Li Hua"}, 400, "full_name_invalid"),
        ({"full_name": None}, 400, "full_name_required"),
        ({"id_number": wrong_check_character(ID_NUMBER)}, 400, "id_number_checksum"),
        ({"id_number": "31010419880808"}, 400, "id_number_invalid"),
        ({"id_number": make_id_number(dt.date(2010, 1, 1))}, 400, "borrower_too_young"),
        ({"id_number": make_id_number(dt.date(1940, 1, 1))}, 400, "borrower_too_old"),
        ({"id_number": make_id_number(dt.date(2099, 1, 1))}, 400, "id_number_birth_date_invalid"),
        ({"id_number": None}, 400, "id_number_required"),
        ({"phone": "010-12345678"}, 400, "phone_invalid"),
        ({"phone": "13900000009"}, 409, "phone_taken"),
        ({"bank_card_number": "6222020000000016"}, 400, "bank_card_checksum"),
        ({"bank_card_number": "1234"}, 400, "bank_card_invalid"),
        ({"bank_card_number": None}, 400, "bank_card_number_required"),
        ({"bank_name": ""}, 400, "bank_name_required"),
        ({"bank_name": "x" * 65}, 400, "bank_name_max_length"),
    ],
)
def test_put_refusals_name_the_problem_and_change_nothing(
    borrower, full_body, micro_product, change, status, code
):
    UserFactory.create(phone="13900000009")
    body = {**full_body}
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    client = token_client(borrower)
    before = accounts_state()
    assert_error(put(client, body), status, code)
    assert accounts_state() == before


def test_an_id_number_already_registered_is_a_conflict(borrower, full_body, micro_product):
    BorrowerProfileFactory.create(id_number=ID_NUMBER)
    client = token_client(borrower)
    before = accounts_state()
    assert_error(put(client, full_body), 409, "id_number_taken")
    assert accounts_state() == before


def test_identity_is_locked_once_complete(borrower, full_body, micro_product):
    client = token_client(borrower)
    put(client, full_body)
    before = accounts_state()
    assert_error(put(client, {"full_name": "李小华"}), 409, "identity_locked")
    assert accounts_state() == before


def test_a_borrower_only_ever_sees_their_own_profile(db, full_body, micro_product):
    alice = BorrowerProfileFactory.create(full_name="张三").user
    bob = UserFactory.create()
    bob_client = token_client(bob)
    assert bob_client.get(PROFILE).json()["complete"] is False
    alice_state = BorrowerProfile.objects.get(user=alice).id_number_masked
    response = put(bob_client, {**full_body, "phone": bob.phone})
    assert response.status_code == 201
    assert response.json()["full_name"] == "李华"
    assert token_client(alice).get(PROFILE).json()["full_name"] == "张三"
    assert BorrowerProfile.objects.get(user=alice).id_number_masked == alice_state
    # Alice's token answers with Alice's data only, whatever the body says.
    assert put(token_client(alice), {"phone": bob.phone}).json()["code"] == "phone_taken"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", PROFILE),
        ("put", PROFILE),
        ("get", CONSENT),
        ("post", CONSENT),
        ("delete", CONSENT),
    ],
)
def test_anonymous_callers_are_challenged(api_client, db, method, url):
    response = getattr(api_client, method)(url)
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", PROFILE),
        ("put", PROFILE),
        ("get", CONSENT),
        ("post", CONSENT),
        ("delete", CONSENT),
    ],
)
def test_staff_are_refused(staff, method, url):
    client = token_client(staff)
    before = accounts_state()
    assert_error(getattr(client, method)(url), 403, "not_a_borrower")
    assert accounts_state() == before


def test_staff_with_a_session_are_refused(client, staff):
    client.force_login(staff)
    assert_error(client.get(PROFILE), 403, "not_a_borrower")


def test_consent_text_in_the_requests_language(borrower):
    client = token_client(borrower)
    data = client.get(CONSENT).json()
    assert data == {
        "text_version": BIOMETRIC_CONSENT_VERSION,
        "text": BIOMETRIC_CONSENT_TEXT["zh-hans"],
        "consent": None,
    }
    english = client.get(CONSENT, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["text"] == BIOMETRIC_CONSENT_TEXT["en"]


def test_grant_and_withdraw_consent(borrower):
    client = token_client(borrower)
    response = client.post(
        CONSENT, {"text_version": BIOMETRIC_CONSENT_VERSION, "agree": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["is_active"] is True
    assert client.get(CONSENT).json()["consent"]["text_version"] == BIOMETRIC_CONSENT_VERSION
    response = client.delete(CONSENT)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["withdrawn_at"] is not None
    assert client.get(CONSENT).json()["consent"] is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text_version": BIOMETRIC_CONSENT_VERSION, "agree": False}, "agree_not_given"),
        ({"text_version": BIOMETRIC_CONSENT_VERSION}, "agree_required"),
        ({"agree": True}, "text_version_required"),
        ({"text_version": "2019-01-01", "agree": True}, "consent_text_outdated"),
    ],
)
def test_consent_refusals(borrower, body, code):
    client = token_client(borrower)
    before = accounts_state()
    assert_error(client.post(CONSENT, body, format="json"), 400, code)
    assert accounts_state() == before
    assert not BiometricConsent.objects.exists()


def test_withdrawing_without_consent_is_a_404(borrower):
    client = token_client(borrower)
    assert_error(client.delete(CONSENT), 404, "consent_not_active")


def test_withdrawing_touches_only_the_callers_consent(borrower):
    other = BiometricConsentFactory.create()
    BiometricConsentFactory.create(user=borrower)
    assert token_client(borrower).delete(CONSENT).status_code == 200
    other.refresh_from_db()
    assert other.withdrawn_at is None
