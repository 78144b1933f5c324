"""Sign-up, sign-in records, API tokens and password changes (accounts/services/users.py)."""

import pytest
from django.db import DatabaseError, transaction
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.exceptions import FieldConflict, FieldError, NotABorrower
from accounts.models import SecurityEvent, User
from tests.accounts.factories import PASSWORD, SecurityEventFactory, UserFactory
from tests.accounts.snapshots import accounts_state

NEW_PASSWORD = "a different long passphrase"


def test_signup_with_a_mobile_number(db, now):
    user = services.user_signup(identifier="+86 138-0013-8000", password=PASSWORD, now=now)
    user.refresh_from_db()
    assert (user.username, user.phone, user.email) == ("13800138000", "13800138000", "")
    assert user.check_password(PASSWORD)
    assert user.password.startswith("argon2")
    assert user.is_borrower
    assert user.date_joined == now


def test_signup_with_an_email_address(db, now):
    user = services.user_signup(identifier=" Li.Hua@Example.COM ", password=PASSWORD, now=now)
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
        services.user_signup(identifier=identifier, password=PASSWORD, now=now)
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
        services.user_signup(identifier="13800138000", password=password, now=now)
    assert caught.value.code == "password_invalid"
    assert caught.value.field == "password"
    assert mentions in caught.value.detail
    assert accounts_state() == before


def test_signup_with_a_taken_phone_number_is_a_clear_conflict(db, now, english):
    UserFactory.create(phone="13800138000")
    before = accounts_state()
    with pytest.raises(FieldConflict) as caught:
        services.user_signup(identifier="138 0013 8000", password=PASSWORD, now=now)
    assert caught.value.code == "phone_taken"
    assert caught.value.status_code == 409
    assert "already exists" in caught.value.detail
    assert accounts_state() == before


def test_signup_with_a_number_someone_signed_up_with_but_changed_is_taken(db, now):
    # Their username is still the old number.
    UserFactory.create(username="13800138000", phone="13900000000")
    with pytest.raises(FieldConflict) as caught:
        services.user_signup(identifier="13800138000", password=PASSWORD, now=now)
    assert caught.value.code == "phone_taken"


def test_signup_with_a_taken_email_is_case_insensitive(db, now):
    UserFactory.create(phone="", username="someone", email="Li.Hua@example.com")
    before = accounts_state()
    with pytest.raises(FieldConflict) as caught:
        services.user_signup(identifier="li.hua@EXAMPLE.com", password=PASSWORD, now=now)
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
