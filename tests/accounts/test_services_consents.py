"""Consent to biometric processing (accounts/services/consents.py)."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from accounts import selectors, services
from accounts.consent import (
    BIOMETRIC_CONSENT_TEXT,
    BIOMETRIC_CONSENT_VERSION,
    biometric_consent_text,
)
from accounts.exceptions import FieldError, NotABorrower, NothingToWithdraw
from accounts.models import BiometricConsent
from tests.accounts.factories import BiometricConsentFactory
from tests.accounts.snapshots import accounts_state


def grant(user, context, now, version=BIOMETRIC_CONSENT_VERSION):
    return services.biometric_consent_grant(
        user=user, text_version=version, context=context, now=now
    )


def test_the_consent_text_exists_in_both_languages():
    assert set(BIOMETRIC_CONSENT_TEXT) == {"zh-hans", "en"}
    assert "人脸" in biometric_consent_text("zh-hans")
    assert "withdraw" in biometric_consent_text("en")
    assert biometric_consent_text("en-us") == BIOMETRIC_CONSENT_TEXT["en"]


def test_grant(borrower, context, now):
    consent = grant(borrower, context, now)
    consent.refresh_from_db()
    assert consent.user == borrower
    assert consent.text_version == BIOMETRIC_CONSENT_VERSION
    assert consent.granted_at == now
    assert consent.withdrawn_at is None
    assert (consent.ip_address, consent.device_id) == (context.ip_address, context.device_id)
    assert selectors.biometric_consent_active(user=borrower) == consent


def test_granting_twice_keeps_the_first_consent(borrower, context, now):
    first = grant(borrower, context, now)
    before = accounts_state()
    assert grant(borrower, context, now + dt.timedelta(minutes=5)) == first
    assert accounts_state() == before


def test_agreeing_to_a_new_text_ends_the_old_consent(borrower, context, now):
    old = BiometricConsentFactory.create(user=borrower, text_version="2023-01-01", granted_at=now)
    later = now + dt.timedelta(days=1)
    new = grant(borrower, context, later)
    old.refresh_from_db()
    assert old.withdrawn_at == later
    assert new.text_version == BIOMETRIC_CONSENT_VERSION
    assert selectors.biometric_consent_active(user=borrower) == new


def test_consent_to_an_outdated_text_is_refused(borrower, context, now):
    before = accounts_state()
    with pytest.raises(FieldError) as caught:
        grant(borrower, context, now, version="2020-01-01")
    assert (caught.value.code, caught.value.field) == ("consent_text_outdated", "text_version")
    assert accounts_state() == before


def test_staff_cannot_consent(staff, context, now):
    with pytest.raises(NotABorrower):
        grant(staff, context, now)
    assert not BiometricConsent.objects.exists()


def test_withdraw(borrower, context, now):
    consent = grant(borrower, context, now)
    later = now + dt.timedelta(hours=2)
    withdrawn = services.biometric_consent_withdraw(user=borrower, now=later)
    assert withdrawn.pk == consent.pk
    withdrawn.refresh_from_db()
    assert withdrawn.withdrawn_at == later
    assert selectors.biometric_consent_active(user=borrower) is None


def test_consent_can_be_given_again_after_withdrawal(borrower, context, now):
    grant(borrower, context, now)
    services.biometric_consent_withdraw(user=borrower, now=now)
    again = grant(borrower, context, now + dt.timedelta(days=1))
    assert BiometricConsent.objects.filter(user=borrower).count() == 2
    assert selectors.biometric_consent_active(user=borrower) == again


def test_withdrawing_without_consent_is_refused(borrower, now):
    before = accounts_state()
    with pytest.raises(NothingToWithdraw) as caught:
        services.biometric_consent_withdraw(user=borrower, now=now)
    assert (caught.value.code, caught.value.status_code) == ("consent_not_active", 404)
    assert accounts_state() == before


def test_consents_are_never_deleted_and_only_withdrawn_once(borrower, context, now):
    consent = grant(borrower, context, now)
    with pytest.raises(DatabaseError, match="only ever withdrawn"), transaction.atomic():
        BiometricConsent.objects.filter(pk=consent.pk).delete()
    with pytest.raises(DatabaseError, match="only ever withdrawn"), transaction.atomic():
        BiometricConsent.objects.filter(pk=consent.pk).update(text_version="forged")
    services.biometric_consent_withdraw(user=borrower, now=now)
    with pytest.raises(DatabaseError, match="only ever withdrawn"), transaction.atomic():
        BiometricConsent.objects.filter(pk=consent.pk).update(withdrawn_at=None)
    consent.refresh_from_db()
    assert (consent.text_version, consent.withdrawn_at) == (BIOMETRIC_CONSENT_VERSION, now)
