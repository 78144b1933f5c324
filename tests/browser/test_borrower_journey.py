"""A new borrower on a phone: sign up with the code sent to their mobile number, accept
the agreements, complete the profile (with the credit-report authorisation), get the
credit line, read and accept the loan contract, see the loan; then a larger application
stops at the face step, and its notice arrives in the top bar."""

import datetime as dt
import re

import pytest

from accounts.models import AgreementAcceptance, User
from loans.models import LoanApplication
from tests.accounts.factories import sms_code
from tests.browser.waiting import wait_until
from tests.loans.factories import MicroProductFactory, card_number, id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Bright-Lantern-42"


def sign_up(page, live_server, phone_number):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=identifier]", phone_number)
    page.click("#send-code")
    # The script asks the API; the page stays as it is and counts down.
    wait_until(page, "document.querySelector('#code-status').textContent.includes('138****8000')")
    assert page.locator("#send-code").is_disabled()
    assert "秒后重发" in page.locator("#send-code").inner_text()
    page.fill("input[name=code]", sms_code(phone_number))
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    page.check("input[name=agreements]")
    page.click("#create-account")
    page.wait_for_url(re.compile(r".*/accounts/profile/$"))


def test_sign_up_with_the_code_to_a_first_loan_through_the_contract(
    live_server, phone, business_date
):
    MicroProductFactory.create()
    page = phone
    # Every missing piece is named at once, next to its field; what was typed stays.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=identifier]", "13800138000")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    page.click("#create-account")
    assert page.locator("#id_code_error1").is_visible()
    assert page.locator("#id_agreements_error1").is_visible()
    assert page.input_value("input[name=identifier]") == "13800138000"
    # A wrong code is refused (and counts as a try).
    page.fill("input[name=code]", "000000")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    page.check("input[name=agreements]")
    page.click("#create-account")
    assert "验证码" in page.locator("#id_code_error1").inner_text()
    assert not User.objects.exists()

    sign_up(page, live_server, "13800138000")
    user = User.objects.get(phone="13800138000")
    assert set(
        AgreementAcceptance.objects.filter(user=user).values_list("document", flat=True)
    ) == {
        "user_agreement",
        "privacy_policy",
    }
    assert page.locator(".steps .is-current").inner_text().strip().endswith("实名信息")

    # Every wrong field at once, and the numbers typed are kept.
    bad_card = "6222020000000016"
    page.fill("input[name=full_name]", "王小明")
    page.fill("input[name=id_number]", "110105199208151230")
    page.fill("input[name=bank_card_number]", bad_card)
    page.click("#complete button[type=submit]")
    for field in ("id_number", "bank_card_number", "bank_name", "credit_report"):
        assert page.locator(f"#id_{field}_error1").is_visible(), field
    assert page.input_value("input[name=bank_card_number]") == bad_card

    page.fill("input[name=id_number]", id_number(dt.date(1992, 8, 15)))
    page.fill("input[name=bank_card_number]", card_number())
    page.fill("input[name=bank_name]", "招商银行")
    page.check("input[name=credit_report]")
    page.click("#complete button[type=submit]")
    # The moment the line is granted: amount, rate, a Borrow button.
    page.wait_for_url(re.compile(r".*/credit-line/\?granted=1$"))
    assert page.locator("#granted-limit").inner_text().startswith("¥")
    assert "年化利率" in page.locator("#credit-line").inner_text()

    page.click("#borrow")
    page.wait_for_url(re.compile(r".*/apply/.*"))
    page.fill("input[name=amount]", "1000")
    page.locator("#terms label", has_text="5").first.click()
    wait_until(
        page,
        "document.querySelectorAll('#schedule tbody tr').length === 5"
        " && !document.querySelector('#status').textContent.includes('…')",
    )
    assert page.locator("#apr-irr").inner_text().endswith("%")
    page.click("#submit")

    # The contract: terms, schedule and rates, to accept before anything is submitted.
    page.wait_for_url(re.compile(r".*/apply/contract/.*"))
    assert "借款合同" in page.locator("h1").inner_text()
    assert page.locator("#contract-schedule tbody tr").count() == 5
    assert "王小明" in page.locator("#contract-text").inner_text()
    page.click("#sign")
    assert page.locator("#id_accept_error1").is_visible()
    assert not LoanApplication.objects.exists()
    page.check("#id_accept")
    page.click("#sign")
    page.wait_for_url(re.compile(r".*/applications/[0-9a-f-]+/$"))
    assert page.locator("#application-status").inner_text() == "已放款"
    application = LoanApplication.objects.get()
    assert application.contract.text == application.contract.text.strip() + "\n"
    assert "¥1,000.00" in application.contract.text

    page.click("#contract-link")
    page.wait_for_url(re.compile(r".*/contract/$"))
    assert "¥1,000.00" in page.locator("#contract-text").inner_text()
    page.go_back()
    page.click("text=查看借款和还款计划")
    page.wait_for_url(re.compile(r".*/loans/[0-9a-f-]+/$"))
    assert page.locator("#schedule tbody tr").count() == 5
    assert page.locator("#schedule tbody tr td:nth-child(4)").first.inner_text() == "¥200.00"

    # A larger draw needs a face check: it stops there, and its notice arrives.
    page.goto(f"{live_server.url}/apply/")
    page.fill("input[name=amount]", "8000")
    wait_until(page, "!document.querySelector('#status').textContent.includes('…')")
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/apply/contract/.*"))
    page.check("#id_accept")
    page.click("#sign")
    page.wait_for_url(re.compile(r".*/applications/[0-9a-f-]+/$"))
    assert page.locator("#application-status").inner_text() == "需要人脸核验"
    assert page.locator("#face-step").is_visible()
    page.goto(f"{live_server.url}/home/")
    # The waiting face check comes first on Home.
    first_card = page.locator("main section").first
    assert "pending-face-check" in (first_card.get_attribute("class") or "")
    assert (
        first_card.get_attribute("id")
        == f"face-check-{LoanApplication.objects.latest('pk').public_id}"
    )
    unread = int(page.locator("#unread-count").inner_text())
    assert unread >= 2  # the loan paid out, the face check needed
    page.click("#notices-link")
    page.wait_for_url(re.compile(r".*/notifications/$"))
    first = page.locator(".notices li").first
    assert first.get_attribute("data-kind") == "face_check_needed"
    assert "¥8,000.00" in first.inner_text()
    assert page.locator(".notices .unread-dot").count() == unread
    assert page.locator("#unread-count").count() == 0
    first = page.locator(".notices li a").first
    first.click()
    page.wait_for_url(re.compile(r".*/face-check/$"))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
