"""Sign-up, sign-in records, API tokens and password changes (accounts/services/users.py)."""

import pytest
from django.db import DatabaseError, transaction
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.agreements import PRIVACY_POLICY, USER_AGREEMENT
from accounts.exceptions import FieldConflict, FieldError, FieldErrors, NotABorrower
from accounts.models import AgreementAcceptance, PhoneCode, SecurityEvent, User
from tests.accounts.factories import PASSWORD, SecurityEventFactory, UserFactory, signup_code
from tests.accounts.snapshots import accounts_state

NEW_PASSWORD = "a different long passphrase"


def signup(identifier, password=PASSWORD, *, now, **kwargs):
    kwargs.setdefault("agreements_accepted", True)
    return services.user_signup(identifier=identifier, password=password, now=now, **kwargs)


def test_signup_with_a_mobile_number(db, now, context):
    code = signup_code("13800138000", now=now)
    user = signup("+86 138-0013-8000", code=code, now=now, language="en", context=context)
    user.refresh_from_db()
    assert (user.username, user.phone, user.email) == ("13800138000", "13800138000", "")
    assert user.check_password(PASSWORD)
    assert user.password.startswith("argon2")
    assert user.is_borrower
    assert user.date_joined == now
    assert user.language == "en"
    accepted = sorted(
        AgreementAcceptance.objects.filter(user=user).values_list("document", "version", "language")
    )
    assert accepted == [
        ("privacy_policy", PRIVACY_POLICY.version, "en"),
        ("user_agreement", USER_AGREEMENT.version, "en"),
    ]
    assert PhoneCode.objects.get(phone="13800138000").consumed_at == now


def test_signup_with_an_email_address(db, now):
    user = signup(" Li.Hua@Example.COM ", now=now)
    user.refresh_from_db()
    assert (user.username, user.phone, user.email) == (
        "li.hua@example.com",
        "",
        "li.hua@example.com",
    )


@pytest.mark.parametrize(
    ("identifier", "code"),
    [
        ("", "identifier_required"),
        ("1380013800", "identifier_invalid"),
        ("23800138000", "identifier_invalid"),
        ("wang", "identifier_invalid"),
        ("wang@", "email_invalid"),
        ("wang@example", "email_invalid"),
    ],
)
def test_signup_refuses_a_bad_identifier_and_creates_nothing(db, now, identifier, code):
    before = accounts_state()
    with pytest.raises(FieldError) as caught:
        signup(identifier, now=now)
    assert caught.value.code == code
    assert caught.value.field == "identifier"
    assert accounts_state() == before


@pytest.mark.parametrize(
    ("password", "mentions"),
    [
        ("short", "too short"),
        ("password123", "too common"),
        ("83726152637485", "entirely numeric"),
        ("13800138000x", "too similar"),
    ],
)
def test_signup_applies_the_password_validators(db, now, english, password, mentions):
    before = accounts_state()
    with pytest.raises(FieldError) as caught:
        signup("13800138000", password, code="123456", now=now)
    assert caught.value.code == "password_invalid"
    assert caught.value.field == "password"
    assert mentions in caught.value.detail
    assert accounts_state() == before


def test_signup_with_a_taken_phone_number_is_a_clear_conflict(db, now, english):
    UserFactory.create(phone="13800138000")
    before = accounts_state()
    with pytest.raises(FieldConflict) as caught:
        signup("138 0013 8000", code="123456", now=now)
    assert caught.value.code == "phone_taken"
    assert caught.value.status_code == 409
    assert "already exists" in caught.value.detail
    assert accounts_state() == before


def test_signup_with_a_number_someone_signed_up_with_but_changed_is_taken(db, now):
    # Their username is still the old number.
    UserFactory.create(username="13800138000", phone="13900000000")
    with pytest.raises(FieldConflict) as caught:
        signup("13800138000", code="123456", now=now)
    assert caught.value.code == "phone_taken"


def test_signup_with_a_taken_email_is_case_insensitive(db, now):
    UserFactory.create(phone="", username="someone", email="Li.Hua@example.com")
    before = accounts_state()
    with pytest.raises(FieldConflict) as caught:
        signup("li.hua@EXAMPLE.com", now=now)
    assert caught.value.code == "email_taken"
    assert accounts_state() == before


def test_login_is_recorded_with_where_it_came_from(borrower, context, now):
    event = services.user_login_record(user=borrower, context=context, now=now)
    event.refresh_from_db()
    assert event.kind == SecurityEvent.Kind.LOGIN
    assert event.occurred_at == now
    assert (event.ip_address, event.user_agent, event.device_id) == (
        context.ip_address,
        context.user_agent,
        context.device_id,
    )


def test_staff_are_refused_by_borrower_services(staff, context, now):
    before = accounts_state()
    with pytest.raises(NotABorrower) as caught:
        services.user_login_record(user=staff, context=context, now=now)
    assert caught.value.status_code == 403
    assert caught.value.code == "not_a_borrower"
    with pytest.raises(NotABorrower):
        services.auth_token_issue(user=staff, context=context, now=now)
    assert accounts_state() == before


def test_token_issue_records_a_login_and_reuses_the_token(borrower, context, now):
    first = services.auth_token_issue(user=borrower, context=context, now=now)
    second = services.auth_token_issue(user=borrower, context=context, now=now)
    assert first == second == Token.objects.get(user=borrower).key
    assert borrower.security_events.filter(kind="login").count() == 2


def test_token_revoke(borrower, context, now):
    services.auth_token_issue(user=borrower, context=context, now=now)
    assert services.auth_token_revoke(user=borrower) is True
    assert not Token.objects.filter(user=borrower).exists()
    assert services.auth_token_revoke(user=borrower) is False


def test_password_change(borrower, context, now):
    old_token = services.auth_token_issue(user=borrower, context=context, now=now)
    new_token = services.user_password_change(
        user=borrower,
        old_password=PASSWORD,
        new_password=NEW_PASSWORD,
        context=context,
        now=now,
        issue_token=True,
    )
    borrower.refresh_from_db()
    assert borrower.check_password(NEW_PASSWORD)
    assert new_token is not None
    assert new_token != old_token
    assert list(Token.objects.filter(user=borrower).values_list("key", flat=True)) == [new_token]
    event = borrower.security_events.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert (event.occurred_at, event.device_id) == (now, context.device_id)


def test_password_change_without_a_new_token_signs_out_the_api(borrower, context, now):
    services.auth_token_issue(user=borrower, context=context, now=now)
    result = services.user_password_change(
        user=borrower, old_password=PASSWORD, new_password=NEW_PASSWORD, context=context, now=now
    )
    assert result is None
    assert not Token.objects.filter(user=borrower).exists()


@pytest.mark.parametrize(
    ("old", "new", "field", "code"),
    [
        ("wrong password", NEW_PASSWORD, "old_password", "old_password_incorrect"),
        ("", NEW_PASSWORD, "old_password", "old_password_incorrect"),
        (PASSWORD, PASSWORD, "new_password", "password_unchanged"),
        (PASSWORD, "short", "new_password", "password_invalid"),
        (PASSWORD, "", "new_password", "password_required"),
    ],
)
def test_password_change_refusals_change_nothing(borrower, context, now, old, new, field, code):
    services.auth_token_issue(user=borrower, context=context, now=now)
    before = accounts_state()
    with pytest.raises(FieldError) as caught:
        services.user_password_change(
            user=borrower, old_password=old, new_password=new, context=context, now=now
        )
    assert (caught.value.field, caught.value.code) == (field, code)
    assert accounts_state() == before
    assert User.objects.get(pk=borrower.pk).check_password(PASSWORD)


def test_security_events_are_insert_only_in_the_database(db):
    event = SecurityEventFactory.create()
    with pytest.raises(DatabaseError, match=r"permission denied|insert-only"), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).update(ip_address="198.51.100.1")
    with pytest.raises(DatabaseError, match=r"permission denied|insert-only"), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.ip_address == "203.0.113.5"


def test_signup_reports_every_wrong_field_at_once(db, now, english):
    before = accounts_state()
    with pytest.raises(FieldErrors) as caught:
        signup("1380013800", "short", agreements_accepted=False, now=now)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("identifier", "identifier_invalid"),
        ("password", "password_invalid"),
        ("agreements", "agreements_not_accepted"),
    ]
    assert accounts_state() == before


def test_signup_by_mobile_needs_the_code(db, now):
    with pytest.raises(FieldError) as caught:
        signup("13800138000", now=now)
    assert (caught.value.field, caught.value.code) == ("code", "phone_code_required")
    assert not User.objects.exists()


def test_a_wrong_code_counts_and_creates_nothing(db, now):
    code = signup_code("13800138000", now=now)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    before = User.objects.count()
    with pytest.raises(FieldError) as caught:
        signup("13800138000", code=wrong, now=now)
    assert caught.value.code == "phone_code_wrong"
    assert User.objects.count() == before
    # The try is kept although the sign-up was refused.
    assert PhoneCode.objects.get(phone="13800138000").attempts == 1
    assert signup("13800138000", code=code, now=now).phone == "13800138000"


def test_a_code_dies_after_five_wrong_tries(db, now, settings):
    code = signup_code("13800138000", now=now)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(settings.PHONE_CODES["MAX_ATTEMPTS"]):
        with pytest.raises(FieldError):
            signup("13800138000", code=wrong, now=now)
    with pytest.raises(FieldError) as caught:
        signup("13800138000", code=code, now=now)
    assert caught.value.code == "phone_code_expired"
    assert not User.objects.exists()


def test_a_code_expires(db, now, settings):
    import datetime as dt

    code = signup_code("13800138000", now=now)
    later = now + dt.timedelta(seconds=settings.PHONE_CODES["TTL_SECONDS"])
    with pytest.raises(FieldError) as caught:
        signup("13800138000", code=code, now=later)
    assert caught.value.code == "phone_code_expired"
    assert signup("13800138000", code=code, now=later - dt.timedelta(seconds=1)).pk


def test_a_code_is_for_its_purpose_only(db, now, context):
    UserFactory.create(phone="13900000000")
    reset_code = signup_code("13900000000", now=now, purpose="password_reset")
    assert not PhoneCode.objects.filter(purpose="signup").exists()
    with pytest.raises(FieldError) as caught:
        signup("13800138000", code=reset_code, now=now)
    assert caught.value.code == "phone_code_expired"


def test_password_reset_by_phone(db, now, context):
    user = UserFactory.create(phone="13900000000")
    Token.objects.create(user=user)
    code = signup_code("13900000000", now=now, purpose="password_reset")
    services.user_password_reset_by_phone(
        phone="139 0000 0000", code=code, new_password=NEW_PASSWORD, context=context, now=now
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(user=user, kind="password_changed").count() == 1
    assert not Token.objects.filter(user=user).exists()  # every other sign-in ends
    # The code is used up.
    with pytest.raises(FieldError) as caught:
        services.user_password_reset_by_phone(
            phone="13900000000", code=code, new_password=PASSWORD, context=context, now=now
        )
    assert caught.value.code == "phone_code_expired"


def test_password_reset_by_phone_reports_every_wrong_field(db, now, context, english):
    UserFactory.create(phone="13900000000")
    before = accounts_state()
    with pytest.raises(FieldErrors) as caught:
        services.user_password_reset_by_phone(
            phone="139", code="", new_password="short", context=context, now=now
        )
    assert [e.field for e in caught.value.errors] == ["phone", "code", "new_password"]
    assert accounts_state() == before


def test_password_reset_for_a_number_without_an_account(db, now, context):
    code = "123456"  # no code is ever sent to a number without an account
    with pytest.raises(FieldError) as caught:
        services.user_password_reset_by_phone(
            phone="13700000000", code=code, new_password=NEW_PASSWORD, context=context, now=now
        )
    assert caught.value.code == "phone_code_expired"


def test_password_reset_by_email_link(db, now, context):
    user = UserFactory.create(phone="", username="li@example.com", email="li@example.com")
    services.user_password_reset(user=user, new_password=NEW_PASSWORD, context=context, now=now)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(user=user, kind="password_changed").exists()


def test_language_is_remembered_for_borrowers_only(db):
    user = UserFactory.create()
    assert services.user_language_set(user=user, language="en") is True
    assert services.user_language_set(user=user, language="en") is False
    assert services.user_language_set(user=user, language="xx") is False
    user.refresh_from_db()
    assert user.language == "en"
