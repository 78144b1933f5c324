"""Demo data for `make run`: a staff user, a borrower and the two demo products, so a
newcomer sees a working platform. Safe to run again: it changes nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from loans.models import LoanProduct, Method, ProductKind

DEMO_STAFF = ("staff", "staff@microlend.example", "microlend-staff")
DEMO_BORROWER = ("demo", "demo@microlend.example", "microlend-demo", "13800138000")

DEMO_PRODUCTS: dict[str, dict[str, object]] = {
    "weili": {
        "name": "微利贷",
        "name_en": "Weili micro-loan",
        "kind": ProductKind.MICRO,
        "daily_rate_min": Decimal("0.0002"),
        "daily_rate_default": Decimal("0.0005"),
        "daily_rate_max": Decimal("0.0005"),
        "term_min": 5,
        "term_max": 20,
        "allowed_terms": [5, 10, 20],
        "default_method": Method.EQUAL_PRINCIPAL,
        "allow_equal_installment": True,
        "credit_limit_min": Decimal("500.00"),
        "credit_limit_max": Decimal("200000.00"),
        "min_draw": Decimal("100.00"),
        "draw_step": Decimal("100.00"),
        "max_draw": Decimal("40000.00"),
    },
    "bank-installment": {
        "name": "个人分期贷款",
        "name_en": "Personal installment loan",
        "kind": ProductKind.BANK_INSTALLMENT,
        "annual_rate": Decimal("0.0435"),
        "term_min": 12,
        "term_max": 360,
        "allowed_terms": [],
        "default_method": Method.EQUAL_INSTALLMENT,
        "credit_limit_min": Decimal("10000.00"),
        "credit_limit_max": Decimal("1000000.00"),
        "min_draw": Decimal("10000.00"),
        "draw_step": Decimal("1000.00"),
        "max_draw": Decimal("1000000.00"),
        "max_open_draws": 1,
        "partial_prepayment_multiple": Decimal("10000.00"),
    },
}


@dataclass(frozen=True)
class DemoCredentials:
    staff_username: str
    staff_password: str
    borrower_username: str
    borrower_password: str


def demo_data_load() -> DemoCredentials:
    User = get_user_model()
    with transaction.atomic(durable=True):
        for code, values in DEMO_PRODUCTS.items():
            LoanProduct.objects.get_or_create(code=code, defaults=values)
        username, email, password = DEMO_STAFF
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username=username, email=email, password=password)
        username, email, password, phone = DEMO_BORROWER
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username=username, email=email, password=password, phone=phone)
    return DemoCredentials(DEMO_STAFF[0], DEMO_STAFF[2], DEMO_BORROWER[0], DEMO_BORROWER[2])
