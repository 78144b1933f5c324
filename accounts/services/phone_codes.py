"""One-time codes sent by text message: proof that the borrower holds a mobile number, at
sign-up and for a password reset.

A code is six random digits, stored only as a keyed digest (HMAC with the secret key),
good for a few minutes, dead after a few wrong tries, and used once. Sending is limited
per number (one a minute, a few a day) and per address, so nobody can flood a number or
walk through codes. The text message leaves after the code's row is committed, through
the configured SMS sender (`common.sms`)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import identity
from accounts.exceptions import FieldError
from accounts.models import PhoneCode, User
from common.exceptions import DomainError
from common.request_context import ClientContext
from common.sms import sms_sender

Purpose = PhoneCode.Purpose


class TooManyCodes(DomainError):
    """Codes are being asked for too often (429)."""

    status_code = 429
    default_code = "phone_code_throttled"

    def __init__(self, detail: str, *, retry_after: int, field: str = "phone") -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.field = field


@dataclass(frozen=True)
class PhoneCodeSent:
    phone_masked: str
    expires_at: dt.datetime
    resend_after: dt.datetime
    valid_minutes: int


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    MISSING = "missing"  # none sent, expired, used, or dead after too many tries


def _limits() -> dict[str, int]:
    return {key: int(value) for key, value in settings.PHONE_CODES.items()}


def _digest(*, phone: str, purpose: str, code: str) -> str:
    return salted_hmac(
        "accounts.phone-code", f"{purpose}:{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def _throttle(*, phone: str, context: ClientContext, now: dt.datetime) -> None:
    limits = _limits()
    recent = PhoneCode.objects.filter(phone=phone, created_at__gt=now - dt.timedelta(days=1))
    last = recent.order_by("-created_at", "-pk").values_list("created_at", flat=True).first()
    wait = dt.timedelta(seconds=limits["RESEND_SECONDS"])
    if last is not None and now < last + wait:
        seconds = max(1, int((last + wait - now).total_seconds()) + 1)
        raise TooManyCodes(
            ngettext(
                "A code was just sent. You can ask for another in %(n)s second.",
                "A code was just sent. You can ask for another in %(n)s seconds.",
                seconds,
            )
            % {"n": seconds},
            retry_after=seconds,
        )
    if recent.count() >= limits["MAX_PER_PHONE_PER_DAY"]:
        raise TooManyCodes(
            _("Too many codes were sent to this number today. Try again tomorrow."),
            retry_after=24 * 3600,
        )
    if context.ip_address and (
        PhoneCode.objects.filter(
            ip_address=context.ip_address, created_at__gt=now - dt.timedelta(hours=1)
        ).count()
        >= limits["MAX_PER_IP_PER_HOUR"]
    ):
        raise TooManyCodes(
            _("Too many codes were asked for from your network. Try again in an hour."),
            retry_after=3600,
        )


def _has_account(phone: str) -> bool:
    return User.objects.filter(Q(phone=phone) | Q(username=phone), is_staff=False).exists()


def phone_code_send(
    *, phone: str, purpose: str, context: ClientContext, now: dt.datetime
) -> PhoneCodeSent:
    """Send a new one-time code to `phone` for `purpose` (it replaces any earlier one).

    For a sign-up the number must be free (the borrower is told to sign in instead). For a
    password reset a number with no account is answered exactly like one with an account
    but nothing is sent, so the page cannot be used to find out who is a customer."""
    if purpose not in Purpose.values:
        raise FieldError(_("Unknown purpose."), "purpose_invalid", field="purpose")
    phone = identity.phone_clean(phone)
    if purpose == Purpose.SIGNUP and _has_account(phone):
        raise FieldError(
            _("An account with this mobile number already exists. Sign in instead."),
            "phone_taken",
            field="phone",
        )
    limits = _limits()
    code = f"{secrets.randbelow(10 ** limits['LENGTH']):0{limits['LENGTH']}d}"
    expires_at = now + dt.timedelta(seconds=limits["TTL_SECONDS"])
    deliver = purpose != Purpose.PASSWORD_RESET or _has_account(phone)
    with transaction.atomic(durable=True):
        # Senders to one number queue behind each other's codes, so the throttle counts
        # every code (the very first one to a number can race; the next ones cannot).
        list(
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, created_at__gt=now - dt.timedelta(days=1))
            .values_list("pk", flat=True)
        )
        _throttle(phone=phone, context=context, now=now)
        PhoneCode.objects.filter(phone=phone, purpose=purpose, consumed_at__isnull=True).update(
            expires_at=now + dt.timedelta(microseconds=1)
        )
        PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_digest=_digest(phone=phone, purpose=purpose, code=code),
            created_at=now,
            expires_at=expires_at,
            ip_address=context.ip_address or None,
        )
    if deliver:
        minutes = max(1, limits["TTL_SECONDS"] // 60)
        sms_sender().send(
            phone=phone,
            text=_(
                "[microlend] Your code is %(code)s. It is valid for %(minutes)s minutes. "
                "Never tell anyone this code, not even our staff."
            )
            % {"code": code, "minutes": minutes},
        )
    return PhoneCodeSent(
        phone_masked=identity.phone_mask(phone),
        expires_at=expires_at,
        resend_after=now + dt.timedelta(seconds=limits["RESEND_SECONDS"]),
        valid_minutes=max(1, limits["TTL_SECONDS"] // 60),
    )


def phone_code_check_locked(
    *, phone: str, purpose: str, code: str, now: dt.datetime, consume: bool
) -> CodeCheck:
    """Check `code` against the live code of `phone` and `purpose`, inside the caller's
    transaction: a wrong code counts as a try (the caller must commit that even though it
    refuses the request), the right one is used up when `consume`."""
    live = (
        PhoneCode.objects.select_for_update()
        .filter(
            phone=phone,
            purpose=purpose,
            consumed_at__isnull=True,
            expires_at__gt=now,
            attempts__lt=_limits()["MAX_ATTEMPTS"],
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if live is None:
        return CodeCheck.MISSING
    given = (code or "").strip()
    if not (given.isascii() and given.isdigit()) or not constant_time_compare(
        live.code_digest, _digest(phone=phone, purpose=purpose, code=given)
    ):
        live.attempts += 1
        live.save(update_fields=["attempts"])
        return CodeCheck.WRONG
    if consume:
        live.consumed_at = now
        live.save(update_fields=["consumed_at"])
    return CodeCheck.OK


def code_error(check: CodeCheck, *, field: str = "code") -> FieldError:
    if check == CodeCheck.WRONG:
        return FieldError(
            _("The code is not correct. Check the text message and try again."),
            "phone_code_wrong",
            field=field,
        )
    return FieldError(
        _("This code has expired or was used up. Ask for a new code."),
        "phone_code_expired",
        field=field,
    )


def code_format_check(code: str, *, field: str = "code") -> str:
    value = (code or "").strip()
    if not value:
        raise FieldError(
            _("Enter the code we sent to your mobile number."), "phone_code_required", field=field
        )
    if not (value.isascii() and value.isdigit() and len(value) == _limits()["LENGTH"]):
        raise FieldError(
            _("The code is %(n)s digits.") % {"n": _limits()["LENGTH"]},
            "phone_code_invalid",
            field=field,
        )
    return value
