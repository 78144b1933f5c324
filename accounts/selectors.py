"""Reads of accounts: profiles, consents, and the security history the risk engine uses."""

from __future__ import annotations

import datetime as dt

from accounts.models import (
    AgreementAcceptance,
    BiometricConsent,
    BorrowerProfile,
    SecurityEvent,
    User,
)

# Changes to an account that make a loan application riskier shortly afterwards.
SECURITY_CHANGE_KINDS = (
    SecurityEvent.Kind.PASSWORD_CHANGED,
    SecurityEvent.Kind.PHONE_CHANGED,
    SecurityEvent.Kind.BANK_CARD_CHANGED,
    SecurityEvent.Kind.FACE_REPLACED,
)


def borrower_profile_get(*, user: User) -> BorrowerProfile | None:
    """The borrower's profile, or None until they complete it."""
    return BorrowerProfile.objects.filter(user=user).select_related("user").first()


def biometric_consent_active(*, user: User) -> BiometricConsent | None:
    """The consent to biometric processing the borrower has given and not withdrawn."""
    return (
        BiometricConsent.objects.filter(user=user, withdrawn_at__isnull=True)
        .order_by("-granted_at", "-pk")
        .first()
    )


def security_changes_since(*, user: User, since: dt.datetime) -> list[SecurityEvent]:
    """Password, mobile number, bank card and reference-face changes at or after `since`,
    oldest first."""
    return list(
        SecurityEvent.objects.filter(
            user=user, kind__in=SECURITY_CHANGE_KINDS, occurred_at__gte=since
        ).order_by("occurred_at", "pk")
    )


def latest_login_at(*, user: User, before: dt.datetime) -> dt.datetime | None:
    """When the borrower's current session began: their last sign-in before `before`."""
    return (
        SecurityEvent.objects.filter(
            user=user, kind=SecurityEvent.Kind.LOGIN, occurred_at__lt=before
        )
        .order_by("-occurred_at", "-pk")
        .values_list("occurred_at", flat=True)
        .first()
    )


def login_history(*, user: User, before: dt.datetime) -> tuple[set[str], set[str]]:
    """The IP addresses and the device ids of the borrower's successful sign-ins before
    `before` (unknown values are left out)."""
    rows = (
        SecurityEvent.objects.filter(
            user=user, kind=SecurityEvent.Kind.LOGIN, occurred_at__lt=before
        )
        .values_list("ip_address", "device_id")
        .order_by()
        .distinct()
    )
    ips: set[str] = set()
    devices: set[str] = set()
    for ip_address, device_id in rows:
        if ip_address:
            ips.add(str(ip_address))
        if device_id:
            devices.add(device_id)
    return ips, devices


def security_events_recent(*, user: User, limit: int = 10) -> list[SecurityEvent]:
    """The borrower's latest security events, newest first (shown on their profile)."""
    return list(SecurityEvent.objects.filter(user=user).order_by("-occurred_at", "-pk")[:limit])


def agreement_accepted(*, user: User, document: str) -> AgreementAcceptance | None:
    """The borrower's latest acceptance of `document`."""
    return (
        AgreementAcceptance.objects.filter(user=user, document=document)
        .order_by("-accepted_at", "-pk")
        .first()
    )


def agreements_accepted(*, user: User) -> list[AgreementAcceptance]:
    """Every document version the borrower accepted, newest first."""
    return list(
        AgreementAcceptance.objects.filter(user=user).order_by("-accepted_at", "document", "-pk")
    )
