"""Saving a product (loans/services/products.py): the one check on every path that writes a
product, the admin's and the demo data's."""

import datetime as dt
from decimal import Decimal

import pytest

from common.exceptions import DomainError
from loans.demo import DEMO_PRODUCTS
from loans.models import LoanProduct
from loans.services import ProductInvalid, loan_product_save
from tests.accounts.factories import StaffFactory

D = Decimal
DAY = dt.date(2024, 5, 10)


def test_the_demo_products_pass_the_check_and_keep_their_history(db):
    staff = StaffFactory.create()
    for code, values in DEMO_PRODUCTS.items():
        product = loan_product_save(
            product=LoanProduct(code=code, **values), business_date=DAY, actor=staff
        )
        assert product.pk is not None
        assert product.history.get().history_user == staff


def test_a_price_above_the_cap_is_refused_and_nothing_is_stored(db):
    values = {**DEMO_PRODUCTS["weili"], "daily_rate_max": D("0.0007")}
    with pytest.raises(DomainError) as caught:
        loan_product_save(product=LoanProduct(code="too-dear", **values), business_date=DAY)
    assert "cap" in caught.value.detail
    assert not LoanProduct.objects.exists()


def test_rates_of_the_wrong_kind_are_named_field_by_field(db):
    values = {**DEMO_PRODUCTS["weili"], "daily_rate_min": None, "annual_rate": D("0.05")}
    with pytest.raises(ProductInvalid) as caught:
        loan_product_save(product=LoanProduct(code="mixed", **values), business_date=DAY)
    assert caught.value.code == "product_rates_mismatch"
    assert set(caught.value.errors) == {"daily_rate_min", "annual_rate"}
    values = {**DEMO_PRODUCTS["bank-installment"], "daily_rate_max": D("0.0005")}
    with pytest.raises(ProductInvalid) as caught:
        loan_product_save(product=LoanProduct(code="mixed", **values), business_date=DAY)
    assert set(caught.value.errors) == {"daily_rate_max"}
    assert not LoanProduct.objects.exists()


def test_a_product_without_a_method_is_refused(db):
    values = {**DEMO_PRODUCTS["weili"], "allow_equal_installment": False}
    values["allow_equal_principal"] = False
    with pytest.raises(ProductInvalid) as caught:
        loan_product_save(product=LoanProduct(code="no-method", **values), business_date=DAY)
    assert caught.value.code == "product_without_method"
    assert not LoanProduct.objects.exists()
