"""The calculator page and the back office pages render for the people who use them."""

from decimal import Decimal

import pytest

from loans.models import LoanProduct, ProductKind

D = Decimal


def test_calculator_page_in_chinese_by_default(client, db):
    response = client.get("/calculator/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "贷款计算器" in html
    assert "年化利率" in html
    assert 'name="viewport"' in html


def test_calculator_page_in_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/calculator/"})
    response = client.get("/calculator/")
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Loan calculator" in html
    assert "Annualized rate (IRR)" in html


def test_root_redirects_to_the_calculator(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/calculator/"


def test_admin_header_shows_the_business_date(admin_client, business_date):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert f'<span id="business-date">{business_date:%Y-%m-%d}</span>' in response.content.decode()


@pytest.fixture
def staff_en(admin_client):
    """The admin in English, so messages can be matched."""
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def _product_form(**overrides):
    data = {
        "code": "staff-micro",
        "name": "员工测试贷",
        "name_en": "Staff micro",
        "kind": ProductKind.MICRO,
        "is_active": "on",
        "daily_rate_min": "0.0002",
        "daily_rate_default": "0.0004",
        "daily_rate_max": "0.0005",
        "term_min": "5",
        "term_max": "20",
        "allowed_terms": "[5, 10, 20]",
        "default_method": "equal_principal",
        "allow_equal_principal": "on",
        "allow_equal_installment": "on",
        "installment_rounding_unit": "0.01",
        "credit_limit_min": "500",
        "credit_limit_max": "200000",
        "min_draw": "100",
        "draw_step": "100",
        "max_draw": "40000",
        "max_open_draws": "20",
        "late_first_draw_day": "29",
        "fallback_repayment_day": "21",
        "min_days_to_first_due": "15",
        "grace_days": "1",
        "penalty_rate_multiplier": "1.5",
        "compound_interest_enabled": "on",
        "repayment_allocation_order": '["penalty", "compound", "overdue_interest", '
        '"overdue_principal", "current_interest", "current_principal"]',
        "prepayment_min_months": "6",
        "partial_prepayment_min": "10000",
        "partial_prepayment_multiple": "",
        "partial_prepayment_interval_months": "12",
        "prepayment_notice_days": "10",
        "prepayment_fee_kind": "none",
        "prepayment_fee_percents": "[]",
    }
    data.update(overrides)
    return data


def test_staff_create_a_product_in_the_admin(admin_client, business_date):
    response = admin_client.post("/admin/loans/loanproduct/add/", _product_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    product = LoanProduct.objects.get(code="staff-micro")
    assert product.daily_rate_max == Decimal("0.0005")
    assert product.allowed_terms == [5, 10, 20]
    assert product.history.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"daily_rate_max": "0.0007"}, "above the 24.00% cap"),
        ({"daily_rate_min": ""}, "needs its daily rates"),
        ({"annual_rate": "0.05"}, "priced by the day"),
    ],
)
def test_admin_refuses_a_product_that_cannot_be_offered(
    staff_en, business_date, overrides, message
):
    admin_client = staff_en
    response = admin_client.post("/admin/loans/loanproduct/add/", _product_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LoanProduct.objects.filter(code="staff-micro").exists()


def test_trial_balance_page(admin_client, db):
    response = admin_client.get("/admin/ledger/account/trial-balance/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'id="trial-balance-difference">0.00<' in html or 'id="trial-balance-difference">0<' in html
    )


def test_load_demo_is_idempotent(db):
    from django.core.management import call_command

    from accounts.models import User

    call_command("load_demo")
    call_command("load_demo")
    assert LoanProduct.objects.filter(code__in=["weili", "bank-installment"]).count() == 2
    assert User.objects.filter(username="staff", is_staff=True).count() == 1
    assert User.objects.filter(username="demo", is_staff=False).count() == 1
    # The lender's capital is in the settlement account before anything is paid out, so the
    # bank account never goes negative; the ledger agrees with the loans.
    from common.selectors import business_date_get
    from ledger.accounts import AccountCode
    from ledger.selectors import account_balance
    from loans.reconciliation import ledger_reconcile

    bank = account_balance(code=AccountCode.SETTLEMENT_BANK)
    assert bank == D("10000000.00") - D("3000.00")
    assert ledger_reconcile(business_date=business_date_get()).is_clean


def test_make_run_prints_the_logins_the_login_page_asks_for():
    from loans.demo import DEMO_BORROWER
    from loans.management.commands.run_platform import logins_text

    text = logins_text("http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000/accounts/login/" in text
    assert f"Mobile number or e-mail:  {DEMO_BORROWER[3]}" in text
    assert DEMO_BORROWER[2] in text
    assert "Ctrl-C stops web, worker and beat." in text
