"""Accounts: sign-up, sign-in records, API tokens and password changes."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.backends import normalize_identifier
from accounts.exceptions import FieldConflict, FieldError
from accounts.identity import is_mainland_mobile
from accounts.models import SecurityEvent, User
from accounts.services.events import ensure_borrower, security_event_record
from common.request_context import ClientContext

_USERNAME_MAX_LENGTH = 150


def _identifier_parse(identifier: str) -> tuple[str, str]:
    """(phone, email) from what the borrower typed; exactly one is non-empty."""
    value = normalize_identifier(identifier or "")
    field = "identifier"
    if not value:
        raise FieldError(
            _("Enter your mobile number or e-mail address."), "identifier_required", field=field
        )
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise FieldError(
                _("Enter a valid e-mail address."), "email_invalid", field=field
            ) from None
        if len(value) > _USERNAME_MAX_LENGTH:
            raise FieldError(
                _("This e-mail address is too long."), "email_invalid", field=field
            ) from None
        return "", value
    if not is_mainland_mobile(value):
        raise FieldError(
            _("Enter a mainland mobile number (11 digits starting with 1) or an e-mail address."),
            "identifier_invalid",
            field=field,
        )
    return value, ""


def _password_check(password: str, *, user: User, field: str) -> None:
    if not password:
        raise FieldError(_("Enter a password."), "password_required", field=field)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise FieldError(" ".join(exc.messages), "password_invalid", field=field) from None


def _identifier_taken(*, phone: str, email: str) -> FieldConflict | None:
    if phone and User.objects.filter(Q(phone=phone) | Q(username=phone)).exists():
        return FieldConflict(
            _("An account with this mobile number already exists. Sign in instead."),
            "phone_taken",
            field="identifier",
        )
    if email and User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        return FieldConflict(
            _("An account with this e-mail address already exists. Sign in instead."),
            "email_taken",
            field="identifier",
        )
    return None


def user_signup(*, identifier: str, password: str, now: dt.datetime) -> User:
    """Open a borrower account for a mainland mobile number or an e-mail address. The
    username is the normalised identifier, so it is also what the borrower signs in with."""
    phone, email = _identifier_parse(identifier)
    username = phone or email
    candidate = User(username=username, phone=phone, email=email)
    _password_check(password, user=candidate, field="password")
    taken = _identifier_taken(phone=phone, email=email)
    if taken is not None:
        raise taken
    try:
        with transaction.atomic(durable=True):
            user = User(username=username, phone=phone, email=email, date_joined=now)
            user.set_password(password)
            user.save()
    except IntegrityError:
        # Someone signed up with the same identifier a moment ago.
        taken = _identifier_taken(phone=phone, email=email)
        if taken is None:
            raise
        raise taken from None
    return user


def user_login_record(*, user: User, context: ClientContext, now: dt.datetime) -> SecurityEvent:
    """Record a successful sign-in (where from, on which device) for the risk rules."""
    ensure_borrower(user)
    with transaction.atomic(durable=True):
        return security_event_record(
            user=user, kind=SecurityEvent.Kind.LOGIN, context=context, now=now
        )


def auth_token_issue(*, user: User, context: ClientContext, now: dt.datetime) -> str:
    """Sign a borrower in through the API: record the sign-in and return their API token
    (the existing one, so every device the borrower uses keeps working)."""
    ensure_borrower(user)
    with transaction.atomic(durable=True):
        security_event_record(user=user, kind=SecurityEvent.Kind.LOGIN, context=context, now=now)
        token, _created = Token.objects.get_or_create(user=user)
    return str(token.key)


def auth_token_revoke(*, user: User) -> bool:
    """Sign the borrower out of the API everywhere: delete their token."""
    with transaction.atomic(durable=True):
        deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted > 0


def user_password_change(
    *,
    user: User,
    old_password: str,
    new_password: str,
    context: ClientContext,
    now: dt.datetime,
    issue_token: bool = False,
) -> str | None:
    """Change the password after checking the current one. Every other sign-in ends:
    sessions elsewhere no longer match the password, and the API token is replaced (the
    new key is returned when `issue_token`, for the device that made the change)."""
    ensure_borrower(user)
    if not old_password or not user.check_password(old_password):
        raise FieldError(
            _("Your current password is not correct."),
            "old_password_incorrect",
            field="old_password",
        )
    if new_password and new_password == old_password:
        raise FieldError(
            _("The new password must be different from the current one."),
            "password_unchanged",
            field="new_password",
        )
    _password_check(new_password, user=user, field="new_password")
    with transaction.atomic(durable=True):
        User.objects.select_for_update().filter(pk=user.pk).get()
        user.set_password(new_password)
        user.save(update_fields=["password"])
        security_event_record(
            user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED, context=context, now=now
        )
        Token.objects.filter(user=user).delete()
        key = str(Token.objects.create(user=user).key) if issue_token else None
    return key
