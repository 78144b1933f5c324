"""The loan calculator as a person on a phone uses it."""

import pytest

from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calculator_updates_as_you_type_on_a_phone(live_server, phone):
    phone.goto(f"{live_server.url}/calculator/")
    # Chinese by default; the first plan appears without pressing anything.
    assert phone.locator("h1").inner_text() == "贷款计算器"
    phone.locator("#schedule tbody tr").first.wait_for()
    assert phone.locator("#schedule tbody tr").count() == 12

    phone.fill("input[name=principal]", "2500")
    phone.fill("input[name=term]", "5")
    phone.fill("input[name=rate]", "0.05")
    phone.locator("details.more summary").click()
    phone.fill("input[name=start_date]", "2024-05-10")
    wait_until(
        phone,
        "document.querySelectorAll('#schedule tbody tr').length === 5"
        " && document.querySelector('#schedule tbody tr td:nth-child(2)').textContent"
        " === '2024-06-10'",
    )
    interest = phone.locator("#schedule tbody tr td:nth-child(6)").all_inner_texts()
    assert interest == ["38.75", "30.00", "23.25", "15.50", "7.50"]
    assert phone.locator("#apr-simple").inner_text() == "18.00%"
    # The IRR is the headline: larger type than the simple rate.
    irr_size = phone.locator("#apr-irr").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    simple_size = phone.locator("#apr-simple").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert irr_size > simple_size * 3 / 2
    # Nothing spills sideways on a phone except the scrollable table itself.
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # Equal installment, whole-yuan rounding.
    phone.locator("label", has_text="等额本息").click()
    phone.fill("input[name=principal]", "10000")
    phone.fill("input[name=term]", "12")
    phone.select_option("select[name=rate_basis]", "annual")
    phone.fill("input[name=rate]", "4.35")
    phone.fill("input[name=start_date]", "2024-01-15")
    wait_until(phone, "document.querySelector('#first-payment').textContent === '¥853.10'")
    assert phone.locator("#total-interest").inner_text() == "¥237.19"
    assert phone.locator("#apr-irr").inner_text() == "4.35%"


def test_calculator_explains_bad_input_in_the_page_language(live_server, phone):
    phone.goto(f"{live_server.url}/calculator/")
    phone.locator("#schedule tbody tr").first.wait_for()
    phone.fill("input[name=rate]", "0.08")  # 28.8% simple: above the cap
    status = phone.locator("#status.error")
    status.wait_for()
    assert "年化利率上限" in status.inner_text()
    phone.fill("input[name=rate]", "0.05")
    phone.locator("#status").wait_for(state="hidden")

    # Switch to English with the header button.
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "Loan calculator"
    phone.fill("input[name=principal]", "0")
    status = phone.locator("#status.error")
    status.wait_for()
    assert status.inner_text() == "The amount must be greater than zero."
