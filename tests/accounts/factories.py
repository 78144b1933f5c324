"""Factories and valid real-name numbers for the accounts tests (call `XFactory.create()`:
it is typed for mypy, where calling the class is not). ID and card numbers are
computed with the published algorithms (GB 11643 and Luhn), not copied from anywhere."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory

from accounts import identity
from accounts.models import BiometricConsent, BorrowerProfile, SecurityEvent, User

PASSWORD = "correct horse battery staple"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once (Argon2 is slow on purpose), shared by every factory user."""
    return make_password(PASSWORD)


def id_check_character(first17: str) -> str:
    """GB 11643-1999: the weighted sum mod 11 picks from 1 0 X 9 8 7 6 5 4 3 2."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_id_number(birth_date: dt.date, *, region: str = "110105", sequence: int = 123) -> str:
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def wrong_check_character(id_number: str) -> str:
    right = id_number[17]
    wrong = next(c for c in "0123456789X" if c != right)
    return id_number[:17] + wrong


def luhn_complete(partial: str) -> str:
    """`partial` plus the Luhn check digit."""
    for digit in "0123456789":
        if identity.luhn_valid(partial + digit):
            return partial + digit
    raise AssertionError("unreachable")


def make_card_number(prefix: str = "622202", length: int = 16, serial: int = 1) -> str:
    body = f"{prefix}{serial:0{length - len(prefix) - 1}d}"
    return luhn_complete(body)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User

    phone: Any = Sequence(lambda n: f"159{n:08d}")
    username: Any = LazyAttribute(lambda o: o.phone)
    email: Any = ""
    password = LazyFunction(lambda: password_hash())


class StaffFactory(UserFactory):
    phone = ""
    username = Sequence(lambda n: f"staff{n}")
    email = LazyAttribute(lambda o: f"{o.username}@microlend.example")
    is_staff = True


class BorrowerProfileFactory(DjangoModelFactory[BorrowerProfile]):
    """A complete profile written straight to the table (the service is tested on its own)."""

    class Meta:
        model = BorrowerProfile

    user = SubFactory(UserFactory)
    full_name = "王小明"
    id_number = Sequence(lambda n: make_id_number(dt.date(1990, 3, 7), sequence=n % 1000))
    id_number_digest = LazyAttribute(lambda o: identity.id_number_digest(o.id_number))
    id_number_masked = LazyAttribute(lambda o: identity.id_number_mask(o.id_number))
    birth_date = LazyAttribute(lambda o: identity.id_number_birth_date(o.id_number))
    bank_card_number = Sequence(lambda n: make_card_number(serial=n))
    bank_card_masked = LazyAttribute(lambda o: identity.bank_card_mask(o.bank_card_number))
    bank_name = "招商银行"
    completed_at = LazyFunction(timezone.now)
    updated_at = LazyAttribute(lambda o: o.completed_at)


class SecurityEventFactory(DjangoModelFactory[SecurityEvent]):
    class Meta:
        model = SecurityEvent

    user = SubFactory(UserFactory)
    kind = SecurityEvent.Kind.LOGIN
    occurred_at = LazyFunction(timezone.now)
    ip_address = "203.0.113.5"
    user_agent = "pytest"
    device_id = "device-0001"


class BiometricConsentFactory(DjangoModelFactory[BiometricConsent]):
    class Meta:
        model = BiometricConsent

    user = SubFactory(UserFactory)
    text_version = "2024-05-01"
    granted_at = LazyFunction(timezone.now)
    ip_address = "203.0.113.5"
    device_id = "device-0001"


def sms_code(phone: str) -> str:
    """The one-time code in the latest text message sent to `phone` (the test settings
    keep messages in common.sms.LocmemSmsSender.outbox)."""
    import re

    from common.sms import LocmemSmsSender

    for message in reversed(LocmemSmsSender.outbox):
        if message.phone == phone:
            found = re.search(r"\b(\d{6})\b", message.text)
            if found:
                return found.group(1)
    raise AssertionError(f"no code was sent to {phone}")


def signup_code(phone: str, *, now: Any = None, purpose: str = "signup") -> str:
    """Ask for a code for `phone` as the pages do, and return it."""
    from accounts.services import phone_code_send
    from common.request_context import ClientContext

    phone_code_send(
        phone=phone,
        purpose=purpose,
        context=ClientContext(ip_address="203.0.113.9", user_agent="pytest", device_id=""),
        now=now or timezone.now(),
    )
    return sms_code(phone)
