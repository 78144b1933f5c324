"""Consent to biometric (face) processing: given separately and explicitly, withdrawable
at any time."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.consent import BIOMETRIC_CONSENT_VERSION
from accounts.exceptions import FieldError, NothingToWithdraw
from accounts.models import BiometricConsent, User
from accounts.services.events import ensure_borrower
from common.request_context import ClientContext


def biometric_consent_grant(
    *, user: User, text_version: str, context: ClientContext, now: dt.datetime
) -> BiometricConsent:
    """Record the borrower's consent to the consent text of `text_version`, which must be
    the text shown to them now. Agreeing again to the same text changes nothing; agreeing
    to a newer text ends the consent to the older one."""
    ensure_borrower(user)
    if text_version != BIOMETRIC_CONSENT_VERSION:
        raise FieldError(
            _("The consent text has changed. Read the current text and agree to it."),
            "consent_text_outdated",
            field="text_version",
        )
    with transaction.atomic(durable=True):
        User.objects.select_for_update().filter(pk=user.pk).get()
        active = BiometricConsent.objects.filter(user=user, withdrawn_at__isnull=True).first()
        if active is not None and active.text_version == text_version:
            return active
        if active is not None:
            active.withdrawn_at = max(now, active.granted_at)
            active.save(update_fields=["withdrawn_at"])
        return BiometricConsent.objects.create(
            user=user,
            text_version=text_version,
            granted_at=now,
            ip_address=context.ip_address or None,
            device_id=context.device_id[:64],
        )


def biometric_consent_withdraw(*, user: User, now: dt.datetime) -> BiometricConsent:
    """Withdraw the borrower's consent. Always possible, whatever loans or checks are in
    progress (those fall back to staff review).

    Returns the withdrawn consent. Callers MUST then erase the borrower's face data
    (reference photo, embeddings, attempt frames): the consent was the only basis for
    keeping them. Raises `NothingToWithdraw` when no consent is active."""
    with transaction.atomic(durable=True):
        User.objects.select_for_update().filter(pk=user.pk).get()
        active = BiometricConsent.objects.filter(user=user, withdrawn_at__isnull=True).first()
        if active is None:
            raise NothingToWithdraw(_("You have not given consent to face recognition."))
        active.withdrawn_at = max(now, active.granted_at)
        active.save(update_fields=["withdrawn_at"])
    return active
