"""The sign-up, sign-in, sign-out and password API (accounts/apis/auth.py)."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import SecurityEvent
from tests.accounts.factories import PASSWORD, UserFactory, sms_code
from tests.accounts.snapshots import accounts_state

SIGNUP = "/api/v1/auth/signup/"
PHONE_CODES = "/api/v1/auth/phone-codes/"
PASSWORD_RESET = "/api/v1/auth/password-reset/"
LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
PASSWORD_URL = "/api/v1/auth/password/"
NEW_PASSWORD = "a different long passphrase"


def post(client, url, body=None, **extra):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **extra)


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"detail", "code"}
    assert data["code"] == code
    return data


def test_signup_returns_a_working_token(api_client, db):
    sent = post(api_client, PHONE_CODES, {"phone": "138 0013 8000", "purpose": "signup"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["phone_masked"] == "138****8000"
    body = {
        "identifier": "138 0013 8000",
        "password": PASSWORD,
        "code": sms_code("13800138000"),
        "accept_agreements": True,
    }
    response = post(api_client, SIGNUP, body)
    assert response.status_code == 201
    data = response.json()
    assert data["user"]["username"] == data["user"]["phone"] == "13800138000"
    assert data["user"]["email"] == ""
    assert "password" not in json.dumps(data)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {data['token']}")
    assert api_client.get("/api/v1/me/profile/").status_code == 200


def test_signup_by_email(api_client, db):
    response = post(
        api_client,
        SIGNUP,
        {"identifier": "Li@Example.com", "password": PASSWORD, "accept_agreements": True},
    )
    assert response.status_code == 201
    assert response.json()["user"]["email"] == "li@example.com"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"password": PASSWORD}, 400, "identifier_required"),
        ({"identifier": "13800138000", "code": "123456"}, 400, "password_required"),
        ({"identifier": "12345", "password": PASSWORD}, 400, "identifier_invalid"),
        ({"identifier": "li@", "password": PASSWORD}, 400, "email_invalid"),
        ({"identifier": "13800138000", "password": "short", "code": "1"}, 400, "password_invalid"),
        ({"identifier": "13800138000", "password": PASSWORD}, 400, "phone_code_required"),
        (
            {"identifier": "13800138000", "password": PASSWORD, "code": "1"},
            400,
            "phone_code_invalid",
        ),
        (
            {"identifier": "13800138000", "password": PASSWORD, "code": "123456"},
            400,
            "phone_code_expired",
        ),
        ({"identifier": "13900000001", "password": PASSWORD, "code": "123456"}, 409, "phone_taken"),
        (
            {"identifier": "li@example.com", "password": PASSWORD, "accept_agreements": False},
            400,
            "agreements_not_accepted",
        ),
        (
            {"identifier": "li@example.com", "password": PASSWORD, "accept_agreements": "maybe"},
            400,
            "accept_agreements_invalid",
        ),
    ],
)
def test_signup_refusals(api_client, db, body, status, code):
    UserFactory.create(phone="13900000001")
    body = {"accept_agreements": True, **body}
    before = accounts_state()
    assert_error(post(api_client, SIGNUP, body), status, code)
    assert accounts_state() == before


def test_login_returns_the_token_and_records_where_from(api_client, borrower):
    response = post(
        api_client,
        LOGIN,
        {"identifier": f"+86 {borrower.phone}", "password": PASSWORD},
        HTTP_USER_AGENT="microlend-app/1.0",
        HTTP_X_DEVICE_ID="app-device-12345",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["token"] == Token.objects.get(user=borrower).key
    assert data["user"]["public_id"] == str(borrower.public_id)
    event = SecurityEvent.objects.get(user=borrower, kind="login")
    assert (event.ip_address, event.user_agent, event.device_id) == (
        "127.0.0.1",
        "microlend-app/1.0",
        "app-device-12345",
    )
    borrower.refresh_from_db()
    assert borrower.last_login is not None


def test_login_with_a_wrong_password(api_client, borrower):
    before = accounts_state()
    response = post(api_client, LOGIN, {"identifier": borrower.phone, "password": "nope"})
    assert_error(response, 400, "invalid_credentials")
    assert accounts_state() == before


def test_login_of_an_unknown_account(api_client, db):
    response = post(api_client, LOGIN, {"identifier": "13700000000", "password": PASSWORD})
    assert_error(response, 400, "invalid_credentials")


def test_login_needs_both_fields(api_client, db):
    assert_error(post(api_client, LOGIN, {"password": "x"}), 400, "identifier_required")
    assert_error(post(api_client, LOGIN, {"identifier": "x"}), 400, "password_required")


def test_staff_get_no_token(api_client, staff):
    before = accounts_state()
    response = post(api_client, LOGIN, {"identifier": staff.username, "password": PASSWORD})
    assert_error(response, 403, "not_a_borrower")
    assert accounts_state() == before


def test_api_login_is_locked_after_five_failures(api_client, borrower, english):
    body = {"identifier": borrower.phone, "password": "wrong"}
    for _ in range(4):
        assert_error(post(api_client, LOGIN, body), 400, "invalid_credentials")
    fifth = post(api_client, LOGIN, body)
    data = assert_error(fifth, 429, "locked_out")
    assert "Try again in 60 minutes" in data["detail"]
    assert 3500 < int(fifth["Retry-After"]) <= 3600
    # Locked even with the right password, and even written differently.
    before = accounts_state()
    right = {"identifier": f"+86 {borrower.phone[:3]} {borrower.phone[3:]}", "password": PASSWORD}
    assert_error(post(api_client, LOGIN, right), 429, "locked_out")
    assert accounts_state() == before
    # The lock is per identifier and IP address: the borrower's other network still works.
    assert post(api_client, LOGIN, right, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_lockout_message_in_chinese_by_default(api_client, borrower):
    for _ in range(5):
        response = post(api_client, LOGIN, {"identifier": borrower.phone, "password": "x"})
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_logout_deletes_the_token(borrower):
    client = token_client(borrower)
    response = client.post(LOGOUT)
    assert response.status_code == 204
    assert not Token.objects.filter(user=borrower).exists()
    assert client.post(LOGOUT).status_code == 401


def test_logout_ends_a_browser_session(client, borrower):
    client.force_login(borrower)
    assert client.post(LOGOUT).status_code == 204
    assert "_auth_user_id" not in client.session


def test_logout_needs_authentication(api_client, db):
    response = api_client.post(LOGOUT)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_password_change_returns_a_new_token(borrower):
    client = token_client(borrower)
    old_key = Token.objects.get(user=borrower).key
    response = post(client, PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 200
    new_key = response.json()["token"]
    assert new_key != old_key
    borrower.refresh_from_db()
    assert borrower.check_password(NEW_PASSWORD)
    assert borrower.security_events.filter(kind="password_changed").count() == 1
    assert client.get("/api/v1/me/profile/").status_code == 401  # the old token is gone
    client.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert client.get("/api/v1/me/profile/").status_code == 200


def test_password_change_keeps_the_browser_session(client, borrower):
    client.force_login(borrower)
    response = post(client, PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 200
    assert client.get("/api/v1/me/profile/").status_code == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"old_password": "wrong", "new_password": NEW_PASSWORD}, "old_password_incorrect"),
        ({"old_password": PASSWORD, "new_password": "short"}, "password_invalid"),
        ({"old_password": PASSWORD, "new_password": PASSWORD}, "password_unchanged"),
        ({"new_password": NEW_PASSWORD}, "old_password_required"),
        ({"old_password": PASSWORD}, "new_password_required"),
    ],
)
def test_password_change_refusals(borrower, body, code):
    client = token_client(borrower)
    before = accounts_state()
    assert_error(post(client, PASSWORD_URL, body), 400, code)
    assert accounts_state() == before


def test_password_change_refuses_anonymous_and_staff(api_client, staff):
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_error(post(api_client, PASSWORD_URL, body), 401, "not_authenticated")
    staff_client = token_client(staff)
    before = accounts_state()
    assert_error(post(staff_client, PASSWORD_URL, body), 403, "not_a_borrower")
    assert accounts_state() == before


def test_every_endpoint_is_in_the_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, methods in {
        "/api/v1/auth/signup/": {"post"},
        "/api/v1/auth/login/": {"post"},
        "/api/v1/auth/logout/": {"post"},
        "/api/v1/auth/password/": {"post"},
        "/api/v1/auth/phone-codes/": {"post"},
        "/api/v1/auth/password-reset/": {"post"},
        "/api/v1/me/profile/": {"get", "put"},
        "/api/v1/me/biometric-consent/": {"get", "post", "delete"},
    }.items():
        assert methods <= set(schema["paths"][path]), path
    login = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]
    assert {"200", "400", "403", "429"} <= set(login)
    assert "Error" in json.dumps(login["429"])
    profile = json.dumps(schema["components"]["schemas"]["ProfileOutput"])
    assert "id_number_masked" in profile
    assert '"id_number"' not in profile


def test_phone_codes_are_throttled_with_retry_after(api_client, db):
    first = post(api_client, PHONE_CODES, {"phone": "13800138000", "purpose": "signup"})
    assert first.status_code == 201
    again = post(api_client, PHONE_CODES, {"phone": "13800138000", "purpose": "signup"})
    assert_error(again, 429, "phone_code_throttled")
    assert 1 <= int(again["Retry-After"]) <= 60


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"phone": "13800138000"}, "purpose_required"),
        ({"phone": "13800138000", "purpose": "login"}, "purpose_invalid_choice"),
        ({"phone": "123", "purpose": "signup"}, "phone_invalid"),
        ({"phone": "1" * 40, "purpose": "signup"}, "phone_max_length"),
    ],
)
def test_phone_code_refusals(api_client, db, body, code):
    assert_error(post(api_client, PHONE_CODES, body), 400, code)


def test_password_reset_by_phone_through_the_api(api_client, borrower):
    sent = post(api_client, PHONE_CODES, {"phone": borrower.phone, "purpose": "password_reset"})
    assert sent.status_code == 201
    body = {"phone": borrower.phone, "code": sms_code(borrower.phone), "new_password": NEW_PASSWORD}
    assert post(api_client, PASSWORD_RESET, body).status_code == 204
    borrower.refresh_from_db()
    assert borrower.check_password(NEW_PASSWORD)
    assert_error(post(api_client, PASSWORD_RESET, body), 400, "phone_code_expired")
