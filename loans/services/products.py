"""Saving loan products: what a product must meet to be offered, beyond its database
constraints, checked on every path that writes one (the admin, the demo data)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.exceptions import InvalidInput
from loans.models import LoanProduct, ProductKind
from loans.pricing import product_pricing_check_for
from loans.schedule import RepaymentMethod
from loans.schedule.worst_case import WorstCase

_DAILY_RATES = ("daily_rate_min", "daily_rate_default", "daily_rate_max")


class ProductInvalid(InvalidInput):
    """The product's fields contradict each other. `errors` maps each field (None for the
    product as a whole) to what is wrong with it, so a form can show each message next to
    its field."""

    default_code = "product_invalid"

    def __init__(self, errors: dict[str | None, list[str]], code: str | None = None) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages), code)
        self.errors = errors


def _rate_errors(product: LoanProduct) -> dict[str | None, list[str]]:
    errors: dict[str | None, list[str]] = {}
    if product.kind == ProductKind.MICRO:
        for name in _DAILY_RATES:
            if getattr(product, name) is None:
                errors[name] = [_("A micro-loan product needs its daily rates.")]
        if product.annual_rate is not None:
            errors["annual_rate"] = [_("A micro-loan product is priced by the day.")]
    elif product.kind == ProductKind.BANK_INSTALLMENT:
        if product.annual_rate is None:
            errors["annual_rate"] = [_("A bank loan product needs its annual rate.")]
        for name in _DAILY_RATES:
            if getattr(product, name) is not None:
                errors[name] = [_("A bank loan product is priced by the year.")]
    return errors


def loan_product_check(*, product: LoanProduct, business_date: dt.date) -> WorstCase:
    """Refuse a product that cannot be offered: rates that do not match its kind
    (`ProductInvalid`, per field), no repayment method (`ProductInvalid`), or a price
    above the annualized-rate cap in its worst case: its highest rate over every first
    period the due-date rules allow, every term and method it offers and every draw amount
    (`loans.pricing.product_pricing_check_for`'s error, priced from `business_date`).
    Returns that worst case."""
    errors = _rate_errors(product)
    if errors:
        raise ProductInvalid(errors, code="product_rates_mismatch")
    methods = [RepaymentMethod(method) for method in product.offered_methods]
    if not methods:
        raise ProductInvalid(
            {None: [_("Allow at least one repayment method.")]}, code="product_without_method"
        )
    return product_pricing_check_for(product, start_date=business_date)


def loan_product_save(
    *, product: LoanProduct, business_date: dt.date, actor: User | None = None
) -> LoanProduct:
    """Create or update a product after `loan_product_check`; the change is kept in the
    product's history under `actor`. A product edit changes new applications only (the
    terms are fixed on each application and loan)."""
    worst = loan_product_check(product=product, business_date=business_date)
    # Shown as "up to" wherever a rate appears before a draw exists (DOMAIN.md §2).
    product.annualized_rate_irr_max = worst.annualized_rate_irr
    # Not durable: the admin's change form already runs in a transaction (a product moves
    # no money, and its history row commits with it).
    with transaction.atomic():
        if actor is not None:
            product._history_user = actor  # type: ignore[attr-defined]
        product.save()
    return product
