"""Reads the risk engine and the pages use (accounts/selectors.py)."""

import datetime as dt

from accounts import selectors
from accounts.models import SecurityEvent
from tests.accounts.factories import (
    BiometricConsentFactory,
    BorrowerProfileFactory,
    SecurityEventFactory,
    UserFactory,
)

T0 = dt.datetime(2024, 5, 10, 8, 0, tzinfo=dt.UTC)
K = SecurityEvent.Kind


def test_security_changes_since_lists_changes_in_order_from_the_cut_off(borrower):
    SecurityEventFactory.create(
        user=borrower, kind=K.PASSWORD_CHANGED, occurred_at=T0 - dt.timedelta(seconds=1)
    )
    at_cut_off = SecurityEventFactory.create(user=borrower, kind=K.PHONE_CHANGED, occurred_at=T0)
    card = SecurityEventFactory.create(
        user=borrower, kind=K.BANK_CARD_CHANGED, occurred_at=T0 + dt.timedelta(days=2)
    )
    password = SecurityEventFactory.create(
        user=borrower, kind=K.PASSWORD_CHANGED, occurred_at=T0 + dt.timedelta(days=1)
    )
    SecurityEventFactory.create(user=borrower, kind=K.LOGIN, occurred_at=T0 + dt.timedelta(days=1))
    SecurityEventFactory.create(kind=K.PASSWORD_CHANGED, occurred_at=T0 + dt.timedelta(days=1))
    assert selectors.security_changes_since(user=borrower, since=T0) == [
        at_cut_off,
        password,
        card,
    ]


def test_security_changes_since_nothing(borrower):
    assert selectors.security_changes_since(user=borrower, since=T0) == []


def test_login_history_before_a_time(borrower):
    SecurityEventFactory.create(
        user=borrower,
        occurred_at=T0 - dt.timedelta(days=3),
        ip_address="203.0.113.1",
        device_id="phone-aaaa",
    )
    SecurityEventFactory.create(
        user=borrower, occurred_at=T0 - dt.timedelta(days=2), ip_address="2001:db8::1", device_id=""
    )
    SecurityEventFactory.create(
        user=borrower,
        occurred_at=T0 - dt.timedelta(days=1),
        ip_address=None,
        device_id="phone-aaaa",
    )
    # At or after `before`, another kind, or another borrower: not counted.
    SecurityEventFactory.create(
        user=borrower, occurred_at=T0, ip_address="198.51.100.9", device_id="new-device"
    )
    SecurityEventFactory.create(
        user=borrower,
        kind=K.PASSWORD_CHANGED,
        occurred_at=T0 - dt.timedelta(days=1),
        ip_address="198.51.100.8",
        device_id="other",
    )
    SecurityEventFactory.create(
        occurred_at=T0 - dt.timedelta(days=1), ip_address="198.51.100.7", device_id="theirs"
    )
    ips, devices = selectors.login_history(user=borrower, before=T0)
    assert ips == {"203.0.113.1", "2001:db8::1"}
    assert devices == {"phone-aaaa"}


def test_login_history_of_a_new_borrower_is_empty(borrower):
    assert selectors.login_history(user=borrower, before=T0) == (set(), set())


def test_biometric_consent_active(borrower):
    assert selectors.biometric_consent_active(user=borrower) is None
    BiometricConsentFactory.create(
        user=borrower, granted_at=T0, withdrawn_at=T0 + dt.timedelta(hours=1)
    )
    assert selectors.biometric_consent_active(user=borrower) is None
    active = BiometricConsentFactory.create(user=borrower, granted_at=T0 + dt.timedelta(hours=2))
    BiometricConsentFactory.create(granted_at=T0)  # someone else's
    assert selectors.biometric_consent_active(user=borrower) == active


def test_borrower_profile_get(db):
    profile = BorrowerProfileFactory.create()
    assert selectors.borrower_profile_get(user=profile.user) == profile
    assert selectors.borrower_profile_get(user=UserFactory.create()) is None


def test_security_events_recent_newest_first(borrower):
    events = [
        SecurityEventFactory.create(user=borrower, occurred_at=T0 + dt.timedelta(minutes=m))
        for m in range(4)
    ]
    assert selectors.security_events_recent(user=borrower, limit=3) == events[:0:-1]
