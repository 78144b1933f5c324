"""Demo data for `make run`: a staff user, a borrower and the two demo products, so a
newcomer sees a working platform. Safe to run again: it changes nothing the second time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.selectors import borrower_profile_get
from common.request_context import ClientContext
from ledger.models import JournalTransaction
from ledger.services import lending_capital_fund
from loans.models import Loan, LoanProduct, Method, ProductKind
from loans.services import (
    borrower_profile_submit,
    loan_application_submit,
    loan_product_save,
    payout_send,
)

DEMO_STAFF = ("staff", "staff@microlend.example", "microlend-staff")
DEMO_BORROWER = ("demo", "demo@microlend.example", "microlend-demo", "13800138000")
# A made-up identity with a valid ID checksum and a Luhn-valid card number.
DEMO_PROFILE: dict[str, Any] = {
    "full_name": "张小明",
    "id_number": "110105199003071239",
    "bank_card_number": "6222020200112233446",
    "bank_name": "中国工商银行",
}
DEMO_CLIENT = ClientContext(
    ip_address="127.0.0.1", user_agent="demo-loader", device_id="demo-device-0001"
)

DEMO_FUNDING = Decimal("10000000.00")
DEMO_FUNDING_KEY = "funding:demo-capital"

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
    borrower_phone: str
    borrower_email: str


def demo_credentials() -> DemoCredentials:
    """The demo logins, in the form the login pages ask for (borrowers: a mobile number or
    an e-mail address; staff: a username)."""
    return DemoCredentials(
        staff_username=DEMO_STAFF[0],
        staff_password=DEMO_STAFF[2],
        borrower_username=DEMO_BORROWER[0],
        borrower_password=DEMO_BORROWER[2],
        borrower_phone=DEMO_BORROWER[3],
        borrower_email=DEMO_BORROWER[1],
    )


def demo_data_load(*, business_date: dt.date, now: dt.datetime) -> DemoCredentials:
    """Products, a staff user, and a borrower with a complete profile, a credit line and
    one disbursed loan, all made through the same services as real use."""
    User = get_user_model()
    for code, values in DEMO_PRODUCTS.items():
        if not LoanProduct.objects.filter(code=code).exists():
            # Through the same check as staff's edits: a demo product is never above the cap.
            loan_product_save(product=LoanProduct(code=code, **values), business_date=business_date)
    with transaction.atomic(durable=True):
        username, email, password = DEMO_STAFF
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username=username, email=email, password=password)
        username, email, password, phone = DEMO_BORROWER
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username=username, email=email, password=password, phone=phone)
    if not JournalTransaction.objects.filter(idempotency_key=DEMO_FUNDING_KEY).exists():
        # The lender's capital, so payouts leave a settlement account that holds money.
        lending_capital_fund(
            amount=DEMO_FUNDING,
            idempotency_key=DEMO_FUNDING_KEY,
            business_date=business_date,
            now=now,
        )
    borrower = User.objects.get(username=DEMO_BORROWER[0])
    if borrower_profile_get(user=borrower) is None:
        borrower_profile_submit(
            user=borrower,
            business_date=business_date,
            now=now,
            context=DEMO_CLIENT,
            credit_report_authorised=True,
            **DEMO_PROFILE,
        )
    product = LoanProduct.objects.get(code="weili")
    if not Loan.objects.filter(borrower=borrower).exists():
        result = loan_application_submit(
            borrower=borrower,
            product=product,
            amount=Decimal("3000.00"),
            term=10,
            method=Method.EQUAL_PRINCIPAL,
            idempotency_key="demo-first-loan",
            client=DEMO_CLIENT,
            business_date=business_date,
            now=now,
            terms_accepted=True,
        )
        loan = Loan.objects.filter(application=result.application).first()
        if loan is not None:
            payout_send(payout_id=loan.payout.pk, business_date=business_date, now=now)
    return demo_credentials()
