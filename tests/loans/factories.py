"""Factories for loans tests. Borrowers get their profile through the real profile service
(which also grants the credit line), so tests start from states real use produces."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone
from factory.declarations import LazyFunction
from factory.django import DjangoModelFactory

from accounts import identity
from accounts.models import User
from common.request_context import ClientContext
from loans.models import LoanProduct, Method, ProductKind
from loans.services import borrower_profile_submit
from tests.accounts.factories import UserFactory, make_id_number

__all__ = ["UserFactory"]

_serial = itertools.count(1)

CLIENT = ClientContext(ip_address="10.0.0.1", user_agent="pytest", device_id="device-test-0001")


class MicroProductFactory(DjangoModelFactory[LoanProduct]):
    class Meta:
        model = LoanProduct
        django_get_or_create = ("code",)

    code = "weili"
    name = "微利贷"
    name_en = "Weili micro-loan"
    kind = ProductKind.MICRO
    daily_rate_min = Decimal("0.0002")
    daily_rate_default = Decimal("0.0005")
    daily_rate_max = Decimal("0.0005")
    term_min = 5
    term_max = 20
    allowed_terms = LazyFunction(lambda: [5, 10, 20])
    default_method = Method.EQUAL_PRINCIPAL
    credit_limit_min = Decimal("500.00")
    credit_limit_max = Decimal("200000.00")
    min_draw = Decimal("100.00")
    draw_step = Decimal("100.00")
    max_draw = Decimal("40000.00")


class BankProductFactory(DjangoModelFactory[LoanProduct]):
    class Meta:
        model = LoanProduct
        django_get_or_create = ("code",)

    code = "bank-installment"
    name = "个人分期贷款"
    kind = ProductKind.BANK_INSTALLMENT
    annual_rate = Decimal("0.0435")
    term_min = 12
    term_max = 360
    default_method = Method.EQUAL_INSTALLMENT
    credit_limit_min = Decimal("10000.00")
    credit_limit_max = Decimal("1000000.00")
    min_draw = Decimal("10000.00")
    draw_step = Decimal("1000.00")
    max_draw = Decimal("1000000.00")
    max_open_draws = 1


def id_number(birth: dt.date) -> str:
    """A valid ID number, different on every call."""
    return make_id_number(birth, sequence=next(_serial) % 1000)


def card_number(ending: str = "") -> str:
    """A Luhn-valid 19-digit card number that ends with `ending` (the simulated gateway
    declines cards ending 0002)."""
    serial = f"62220{next(_serial):07d}"
    special = {"0002", "0077"}  # the simulated gateway's decline and pending cards
    endings = [ending] if ending else [f"{n:04d}" for n in range(100, 10_000)]
    endings = [tail for tail in endings if ending or tail not in special]
    for filler in range(1_000):
        for tail in endings:
            candidate = f"{serial}{filler:03d}{tail}"
            if identity.luhn_valid(candidate):
                return candidate
    raise AssertionError("no Luhn-valid number")


def borrower(
    *,
    business_date: dt.date,
    birth: dt.date = dt.date(1990, 3, 7),
    card_ending: str = "",
    with_profile: bool = True,
    **user_fields: object,
) -> User:
    """A borrower; with a complete profile (and so a credit line) unless told otherwise."""
    user = UserFactory.create(**user_fields)
    if with_profile:
        borrower_profile_submit(
            user=user,
            business_date=business_date,
            now=timezone.now(),
            context=CLIENT,
            full_name="张三",
            id_number=id_number(birth),
            bank_card_number=card_number(card_ending),
            bank_name="中国工商银行",
            credit_report_authorised=True,
        )
    return user
