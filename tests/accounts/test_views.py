"""Sign-up, log-in, log-out and password pages (accounts/views.py)."""

import pytest

from accounts.models import SecurityEvent, User
from common.request_context import DEVICE_COOKIE
from tests.accounts.factories import PASSWORD, UserFactory, signup_code, sms_code
from tests.accounts.snapshots import accounts_state

NEW_PASSWORD = "a different long passphrase"


@pytest.fixture
def en(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def html(response) -> str:
    return str(response.content.decode())


def test_signup_page_in_chinese_by_default(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    page = html(response)
    assert 'lang="zh-hans"' in page
    assert 'name="viewport"' in page
    assert 'name="identifier"' in page
    assert 'autocomplete="new-password"' in page
    assert "营业日" in page  # the layout, translated


def test_signup_page_in_english(en, db):
    page = html(en.get("/accounts/signup/"))
    assert 'lang="en"' in page
    assert "Mobile number or e-mail" in page
    assert "Create my account" in page


def test_signup_signs_in_and_goes_to_the_profile(client, db):
    client.cookies[DEVICE_COOKIE] = "browser-device-1"
    response = client.post(
        "/accounts/signup/",
        {
            "identifier": "138 0013 8000",
            "code": signup_code("13800138000"),
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "agreements": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user = User.objects.get(phone="13800138000")
    assert client.session["_auth_user_id"] == str(user.pk)
    event = user.security_events.get()
    assert (event.kind, event.device_id) == ("login", "browser-device-1")


def test_signup_errors_show_next_to_the_field(en, db):
    UserFactory.create(phone="13800138000")
    before = accounts_state()
    response = en.post(
        "/accounts/signup/",
        {"identifier": "13800138000", "password": PASSWORD, "password_confirm": "other"},
    )
    assert response.status_code == 200
    assert "The two passwords do not match." in html(response)
    response = en.post(
        "/accounts/signup/",
        {
            "identifier": "13800138000",
            "code": "123456",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "agreements": "on",
        },
    )
    page = html(response)
    assert "An account with this mobile number already exists" in page
    assert 'id="id_identifier_error1"' in page
    assert 'aria-invalid="true"' in page
    assert PASSWORD not in page
    assert accounts_state() == before


def test_signup_password_rules_in_chinese(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "identifier": "13800138000",
            "code": "123456",
            "password": "12345678",
            "password_confirm": "12345678",
            "agreements": "on",
        },
    )
    assert "这个密码太常见了" in html(response)
    assert not User.objects.exists()


def test_login_page_in_chinese_and_english(client, db):
    assert 'lang="zh-hans"' in html(client.get("/accounts/login/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get("/accounts/login/"))
    assert 'lang="en"' in page
    assert "Use the mobile number or e-mail address you signed up with." in page


def test_login_redirects_home_and_records_the_sign_in(client, borrower):
    client.cookies[DEVICE_COOKIE] = "browser-device-2"
    response = client.post(
        "/accounts/login/",
        {"identifier": borrower.phone, "password": PASSWORD},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
    )
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    event = SecurityEvent.objects.get(user=borrower)
    assert (event.kind, event.ip_address, event.user_agent, event.device_id) == (
        "login",
        "127.0.0.1",
        "Mozilla/5.0 (iPhone)",
        "browser-device-2",
    )


def test_login_follows_a_safe_next_only(client, borrower):
    body = {"identifier": borrower.phone, "password": PASSWORD}
    response = client.post("/accounts/login/?next=/accounts/profile/", body)
    assert response["Location"] == "/accounts/profile/"
    client.logout()
    response = client.post("/accounts/login/", {**body, "next": "https://evil.example/"})
    assert response["Location"] == "/home/"


def test_login_with_a_wrong_password(en, borrower):
    before = accounts_state()
    response = en.post("/accounts/login/", {"identifier": borrower.phone, "password": "nope"})
    assert response.status_code == 200
    assert "The mobile number, e-mail or password is not correct." in html(response)
    assert "_auth_user_id" not in en.session
    assert accounts_state() == before


def test_staff_cannot_log_in_as_borrowers(en, staff):
    before = accounts_state()
    response = en.post("/accounts/login/", {"identifier": staff.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "Staff use the back office" in html(response)
    assert "_auth_user_id" not in en.session
    assert accounts_state() == before


def test_login_page_locks_after_five_failures(en, borrower):
    body = {"identifier": borrower.phone, "password": "wrong"}
    for _ in range(4):
        assert en.post("/accounts/login/", body).status_code == 200
    fifth = en.post("/accounts/login/", body)
    assert fifth.status_code == 429
    page = html(fifth)
    assert "Too many failed sign-in attempts. Try again in 60 minutes." in page
    assert 'name="identifier"' in page  # the login page itself, not a bare text
    before = accounts_state()
    locked = en.post("/accounts/login/", {"identifier": borrower.phone, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Try again in" in html(locked)
    assert "_auth_user_id" not in en.session
    assert accounts_state() == before


def test_locked_login_page_in_chinese(client, borrower):
    for _ in range(5):
        response = client.post("/accounts/login/", {"identifier": borrower.phone, "password": "x"})
    assert response.status_code == 429
    assert 'lang="zh-hans"' in html(response)
    assert "60" in html(response)


def test_logout_is_a_post(client, borrower):
    client.force_login(borrower)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_password_page_needs_a_borrower(client, staff):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/"
    client.force_login(staff)
    response = client.get("/accounts/password/")
    assert response.status_code == 403
    assert "/admin/" in html(response)


def test_password_change_keeps_this_session(client, borrower):
    client.force_login(borrower)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    borrower.refresh_from_db()
    assert borrower.check_password(NEW_PASSWORD)
    assert client.get("/accounts/password/").status_code == 200  # still signed in
    assert borrower.security_events.filter(kind="password_changed").exists()


@pytest.mark.parametrize(
    ("old", "new", "confirm", "message"),
    [
        ("wrong", NEW_PASSWORD, NEW_PASSWORD, "Your current password is not correct."),
        (PASSWORD, NEW_PASSWORD, "other", "The two passwords do not match."),
        (PASSWORD, "short", "short", "too short"),
    ],
)
def test_password_change_errors(en, borrower, old, new, confirm, message):
    en.force_login(borrower)
    before = accounts_state()
    response = en.post(
        "/accounts/password/",
        {"old_password": old, "new_password": new, "new_password_confirm": confirm},
    )
    assert response.status_code == 200
    assert message in html(response)
    assert accounts_state() == before


def test_signup_shows_every_error_at_once_and_keeps_what_was_typed(en, db):
    before = accounts_state()
    response = en.post(
        "/accounts/signup/",
        {"identifier": "1380013800", "password": "short", "password_confirm": "other"},
    )
    page = html(response)
    assert response.status_code == 200
    for message in (
        "Enter a mainland mobile number",
        "This password is too short",
        "The two passwords do not match.",
        "Read and accept the user agreement and the privacy policy",
    ):
        assert message in page, message
    assert 'value="1380013800"' in page
    assert accounts_state() == before


def test_the_send_code_button_works_without_scripts(en, db):
    response = en.post(
        "/accounts/signup/",
        {"identifier": "138 0013 8000", "action": "send_code", "agreements": "on"},
    )
    page = html(response)
    assert response.status_code == 200
    assert "We sent a code to 138****8000" in page
    assert 'value="138 0013 8000"' in page
    assert sms_code("13800138000")
    assert not User.objects.exists()


def test_password_reset_by_text_message(en, borrower):
    page = html(
        en.post("/accounts/password/reset/", {"phone": borrower.phone, "action": "send_code"})
    )
    assert "We sent a code to" in page
    response = en.post(
        "/accounts/password/reset/",
        {
            "phone": borrower.phone,
            "code": sms_code(borrower.phone),
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    borrower.refresh_from_db()
    assert borrower.check_password(NEW_PASSWORD)


def test_password_reset_by_email_through_djangos_views(en, db, mailoutbox):
    import re

    user = UserFactory.create(phone="", username="li@example.com", email="li@example.com")
    response = en.post("/accounts/password/reset/email/", {"email": "LI@example.com"})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["li@example.com"]
    found = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", mail.body)
    assert found is not None
    link = found.group(1)
    form_page = en.get(link, follow=True)
    assert "Set a new password" in html(form_page)
    response = en.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(user=user, kind="password_changed").exists()


def test_no_reset_mail_for_staff_or_unknown_addresses(en, staff, mailoutbox):
    assert en.post("/accounts/password/reset/email/", {"email": staff.email}).status_code == 302
    assert en.post("/accounts/password/reset/email/", {"email": "x@example.com"}).status_code == 302
    assert mailoutbox == []


def test_the_documents_are_readable_in_both_languages(client, db):
    assert "用户服务协议" in html(client.get("/accounts/agreements/user_agreement/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Privacy policy" in html(client.get("/accounts/agreements/privacy_policy/"))
    assert client.get("/accounts/agreements/nothing/").status_code == 404
