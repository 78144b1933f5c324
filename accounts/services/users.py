"""Accounts: sign-up, sign-in records, API tokens and password changes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts import identity
from accounts.agreements import SIGNUP_DOCUMENTS
from accounts.backends import normalize_identifier
from accounts.exceptions import FieldConflict, FieldError, FieldErrorCollector
from accounts.identity import is_mainland_mobile
from accounts.models import PhoneCode, SecurityEvent, User
from accounts.services.agreements import agreements_record
from accounts.services.events import ensure_borrower, security_event_record
from accounts.services.phone_codes import (
    CodeCheck,
    code_error,
    code_format_check,
    phone_code_check_locked,
)
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


def user_signup_check(
    *, identifier: str, password: str, code: str, agreements_accepted: bool
) -> tuple[str, str]:
    """Every field of a sign-up checked on its own, all errors at once (`FieldErrors`),
    nothing written: (phone, email) of the identifier. `user_signup` starts with it; a
    page whose own form already found an error calls it to show the others too."""
    errors = FieldErrorCollector()
    parsed = errors.check(lambda: _identifier_parse(identifier))
    phone, email = parsed or ("", "")
    candidate = User(username=phone or email, phone=phone, email=email)
    errors.check(lambda: _password_check(password, user=candidate, field="password"))
    if phone:
        errors.check(lambda: code_format_check(code))
    if not agreements_accepted:
        errors.add(
            FieldError(
                _("Read and accept the user agreement and the privacy policy to open an account."),
                "agreements_not_accepted",
                field="agreements",
            )
        )
    errors.raise_any()
    return phone, email


def user_signup(
    *,
    identifier: str,
    password: str,
    agreements_accepted: bool,
    now: dt.datetime,
    code: str = "",
    language: str = "",
    context: ClientContext | None = None,
) -> User:
    """Open a borrower account for a mainland mobile number or an e-mail address. The
    username is the normalised identifier, so it is also what the borrower signs in with.

    A mobile number needs the one-time code sent to it (`phone_code_send`, purpose
    sign-up); the borrower must accept the user agreement and the privacy policy, whose
    current versions are recorded with the account. Every wrong field is reported at once
    (`FieldErrors`); a wrong code counts as a try of that code."""
    phone, email = user_signup_check(
        identifier=identifier,
        password=password,
        code=code,
        agreements_accepted=agreements_accepted,
    )
    username = phone or email
    taken = _identifier_taken(phone=phone, email=email)
    if taken is not None:
        raise taken
    check = CodeCheck.OK
    try:
        with transaction.atomic(durable=True):
            if phone:
                check = phone_code_check_locked(
                    phone=phone, purpose=PhoneCode.Purpose.SIGNUP, code=code, now=now, consume=True
                )
            if check == CodeCheck.OK:
                user = User(
                    username=username,
                    phone=phone,
                    email=email,
                    date_joined=now,
                    language=_language_code(language),
                )
                user.set_password(password)
                user.save()
                agreements_record(
                    user=user,
                    documents=SIGNUP_DOCUMENTS,
                    language=language,
                    context=context,
                    now=now,
                )
    except IntegrityError:
        # Someone signed up with the same identifier a moment ago.
        taken = _identifier_taken(phone=phone, email=email)
        if taken is None:
            raise
        raise taken from None
    if check != CodeCheck.OK:
        # The wrong try is committed above: the code dies after a few of them.
        raise code_error(check)
    return user


def _language_code(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else ""


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language the borrower uses the pages in (notices are written in it).
    Returns whether it changed."""
    code = _language_code(language)
    if not code or user.language == code or user.is_staff:
        return False
    with transaction.atomic(durable=True):
        User.objects.filter(pk=user.pk).update(language=code)
    user.language = code
    return True


def user_password_reset(
    *,
    user: User,
    new_password: str,
    context: ClientContext,
    now: dt.datetime,
) -> None:
    """Set a new password for a borrower who proved they hold the account's e-mail
    address (Django's reset link) without knowing the old one. Like a change, it ends
    every other sign-in and is a security event."""
    ensure_borrower(user)
    _password_check(new_password, user=user, field="new_password")
    with transaction.atomic(durable=True):
        _password_set(user=user, new_password=new_password, context=context, now=now)


def user_password_reset_by_phone(
    *,
    phone: str,
    code: str,
    new_password: str,
    context: ClientContext,
    now: dt.datetime,
) -> User:
    """Set a new password for the borrower whose mobile number received `code` (purpose
    password reset). Every wrong field is reported at once; a wrong code counts as a try."""
    errors = FieldErrorCollector()
    number = errors.check(lambda: identity.phone_clean(phone)) or ""
    errors.check(lambda: code_format_check(code))
    user = (
        User.objects.filter(Q(phone=number) | Q(username=number), is_staff=False)
        .order_by("pk")
        .first()
        if number
        else None
    )
    errors.check(lambda: _password_check(new_password, user=user or User(), field="new_password"))
    errors.raise_any()
    with transaction.atomic(durable=True):
        check = phone_code_check_locked(
            phone=number,
            purpose=PhoneCode.Purpose.PASSWORD_RESET,
            code=code,
            now=now,
            consume=user is not None,
        )
        if check == CodeCheck.OK and user is not None:
            _password_set(user=user, new_password=new_password, context=context, now=now)
    if check != CodeCheck.OK or user is None:
        # No code is ever sent to a number without an account, so this is "missing".
        raise code_error(check)
    return user


def _password_set(
    *,
    user: User,
    new_password: str,
    context: ClientContext,
    now: dt.datetime,
    issue_token: bool = False,
) -> str | None:
    """In the caller's transaction: the new password and its security event; every API
    token is deleted (a new one is made when `issue_token`)."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).get()
        user.set_password(new_password)
        user.save(update_fields=["password"])
        security_event_record(
            user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED, context=context, now=now
        )
        Token.objects.filter(user=user).delete()
        return str(Token.objects.create(user=user).key) if issue_token else None


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
        return _password_set(
            user=user,
            new_password=new_password,
            context=context,
            now=now,
            issue_token=issue_token,
        )
