"""Fixtures of the accounts tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from common.request_context import ClientContext
from loans.demo import DEMO_PRODUCTS
from loans.models import LoanProduct
from tests.accounts.factories import BorrowerProfileFactory, StaffFactory, UserFactory

CONTEXT = ClientContext(
    ip_address="203.0.113.7", user_agent="pytest-agent", device_id="dev-00000001"
)


@pytest.fixture
def context() -> ClientContext:
    return CONTEXT


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()


@pytest.fixture
def micro_product(db) -> LoanProduct:
    """The demo micro-loan product: completing a profile grants a line on it."""
    return LoanProduct.objects.create(code="weili", **DEMO_PRODUCTS["weili"])


@pytest.fixture
def borrower(db):
    return UserFactory.create()


@pytest.fixture
def staff(db):
    return StaffFactory.create()


@pytest.fixture
def profile(db):
    return BorrowerProfileFactory.create()


@pytest.fixture
def english(settings):
    """Messages in English, so tests can match their words (the default is Chinese): for
    code run in the test and for requests, which fall back to LANGUAGE_CODE."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
