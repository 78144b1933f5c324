"""A new borrower on a phone: sign up, complete the profile, get a line, borrow without a
face check, see the loan and its schedule; then a larger application stops at the face
step."""

import re

import pytest

from tests.browser.waiting import wait_until
from tests.loans.factories import MicroProductFactory, card_number, id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_to_first_loan_and_a_face_step(live_server, phone, business_date):
    import datetime as dt

    MicroProductFactory.create()
    page = phone
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=identifier]", "xiaoming@example.com")
    page.fill("input[name=password]", "Bright-Lantern-42")
    page.fill("input[name=password_confirm]", "Bright-Lantern-42")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/profile/$"))

    page.fill("input[name=full_name]", "王小明")
    page.fill("input[name=id_number]", id_number(dt.date(1992, 8, 15)))
    page.fill("input[name=phone]", "13912345678")
    page.fill("input[name=bank_card_number]", card_number())
    page.fill("input[name=bank_name]", "招商银行")
    page.click("#complete button[type=submit]")
    page.wait_for_load_state()
    # No unmasked number is ever shown back.
    assert "*" in page.locator("body").inner_text()

    page.goto(f"{live_server.url}/home/")
    available = page.locator("#available").inner_text()
    assert available.startswith("¥")
    assert available != "¥0.00"

    page.click("text=立即借钱")
    page.wait_for_url(re.compile(r".*/apply/.*"))
    page.fill("input[name=amount]", "1000")
    page.select_option("select[name=term]", "5")
    wait_until(
        page,
        "document.querySelectorAll('#schedule tbody tr').length === 5"
        " && !document.querySelector('#status').textContent.includes('…')",
    )
    assert page.locator("#apr-irr").inner_text().endswith("%")
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/applications/[0-9a-f-]+/$"))
    assert page.locator("#application-status").inner_text() == "已放款"

    page.click("text=查看借款和还款计划")
    page.wait_for_url(re.compile(r".*/loans/[0-9a-f-]+/$"))
    rows = page.locator("#schedule tbody tr")
    assert rows.count() == 5
    assert page.locator("#schedule tbody tr td:nth-child(4)").first.inner_text() == "¥200.00"
    assert page.locator("#schedule .badge.upcoming").count() == 5

    # A larger second draw needs a face check: it stops there, and no loan is made.
    page.goto(f"{live_server.url}/apply/")
    page.fill("input[name=amount]", "8000")
    wait_until(page, "!document.querySelector('#status').textContent.includes('…')")
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/applications/[0-9a-f-]+/$"))
    assert page.locator("#application-status").inner_text() == "需要人脸核验"
    assert page.locator("#face-step").is_visible()
    page.goto(f"{live_server.url}/home/")
    assert page.locator("#loans .list-row").count() == 1
    assert "¥1,000.00" in page.locator("#loans").inner_text()
    waiting = page.locator("#applications .list-row", has_text="¥8,000.00")
    assert "需要人脸核验" in waiting.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
