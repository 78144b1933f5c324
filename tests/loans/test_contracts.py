"""The loan contract's text (loans/services/contracts.py): the terms, the schedule of a
draw paid out today, the annualized rates, and what happens if it is paid out later."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from loans.models import LoanApplication
from loans.services.contracts import LOAN_CONTRACT_VERSION, contract_digest, loan_contract_preview
from tests.loans.factories import BankProductFactory, MicroProductFactory, borrower


@pytest.fixture
def person(business_date):
    MicroProductFactory.create()
    return borrower(business_date=business_date)


def preview(person, product_code="weili", amount="2500", term=5, method="equal_principal", **kw):
    from loans.models import LoanProduct

    return loan_contract_preview(
        borrower=person,
        product=LoanProduct.objects.get(code=product_code),
        amount=Decimal(amount),
        term=term,
        method=method,
        business_date=dt.date(2024, 5, 10),
        **kw,
    )


def test_the_contract_states_the_terms_schedule_and_rates(person):
    shown = preview(person, language="en")
    text = shown.contract.text
    assert shown.contract.version == LOAN_CONTRACT_VERSION
    assert shown.contract.digest == contract_digest(text)
    assert "Amount: ¥2,500.00" in text
    assert "Weili micro-loan" in text
    for row in shown.schedule.installments:
        assert f"{row.number} | {row.due_date:%Y-%m-%d} |" in text
    assert f"{shown.schedule.annualized_rate_irr * 100:.2f}%" in text
    assert "paid out today, 2024-05-10" in text
    assert "if it is paid out on a later day, the schedule is computed on that day" in text
    daily = shown.schedule.rate.value
    assert f"penalty interest of {daily * Decimal('1.5') * 100:.4f}% a day (1.5 times" in text
    assert "pay off the whole loan at any time" in text
    assert person.profile.id_number_masked in text
    assert person.profile.id_number not in text


def test_the_contract_in_chinese(person):
    with translation.override("zh-hans"):
        shown = preview(person)
    assert shown.contract.language == "zh-hans"
    assert "借款金额：¥2,500.00" in shown.contract.text
    assert "微利贷" in shown.contract.text
    assert "如放款日推迟" in shown.contract.text


def test_a_bank_loan_contract_states_its_prepayment_rules(business_date):
    BankProductFactory.create(
        name_en="Personal installment loan", partial_prepayment_multiple=Decimal("10000")
    )
    person = borrower(business_date=business_date)
    text = preview(
        person, "bank-installment", "100000", 36, "equal_installment", language="en"
    ).contract.text
    assert "after 6 months of normal repayment" in text
    assert "at least ¥10,000.00, in multiples of ¥10,000.00" in text
    assert "Prepayment fee: none." in text


def test_the_text_changes_with_the_draw(person):
    assert preview(person).contract.digest != preview(person, amount="2600").contract.digest
    assert preview(person).contract.digest == preview(person).contract.digest
    assert LoanApplication.objects.count() == 0  # a preview changes nothing
