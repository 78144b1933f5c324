"""Repaying on a phone, in Chinese (Debian's chromium): a borrower pays an installment from
Home and pays off a micro-loan draw; a bank-loan borrower applies for a partial prepayment
with the four documents (a photo, scans, a PDF), staff approve it in the admin (someone who
never touched it), and after the execution on its date the borrower sees the new schedule.

Screenshots of each step are saved under the folder the test prints."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from pypdf import PdfWriter

from accounts.roles import REVIEWER
from common.models import BusinessCalendar
from loans.models import Loan
from repayments.models import PrepaymentApplication, Repayment
from repayments.services.prepayments import prepayment_execute
from tests.accounts.factories import UserFactory
from tests.loans.factories import MicroProductFactory, borrower
from tests.repayments.factories import (
    bank_borrower,
    bank_product,
    disbursed_loan,
    jpeg,
    pay_rows_on_their_due_dates,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal
FACES = Path("/work/shared/testdata/faces")


def set_business_date(day: dt.date) -> None:
    BusinessCalendar.objects.filter(pk=1).update(current_date=day)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def shots(capsys):
    folder = Path(
        os.environ.get(
            "REPAYING_SCREENSHOTS",
            str(Path(settings.BASE_DIR) / "var" / "screenshots" / "repaying"),
        )
    )
    folder.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nscreenshots of repaying: {folder}")

    def shot(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shot


def no_overflow(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_pay_an_installment_then_pay_the_draw_off(live_server, phone, shots):
    drawn = dt.date(2024, 3, 10)
    set_business_date(drawn)
    product = MicroProductFactory.create()
    loan = disbursed_loan(
        borrower(business_date=drawn),
        product,
        amount="10000",
        term=10,
        method="equal_principal",
        on=drawn,
    )
    first = loan.installments.get(number=1)
    set_business_date(first.due_date)
    page = phone
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, loan.borrower)

    page.goto(f"{live_server.url}/home/")
    summary = page.locator(f"#loan-{loan.public_id}")
    assert "当前应还" in summary.inner_text()
    assert f"¥{first.principal + first.interest:,.2f}" in summary.inner_text()
    assert "尚欠总额" in summary.inner_text()
    assert no_overflow(page)
    shots(page, "1-home-due")
    summary.locator("a.button", has_text="还款").click()

    page.wait_for_url(re.compile(r".*/pay/$"))
    assert page.input_value("#id_amount") == str(first.principal + first.interest)
    assert "提前归还某一期并不会减少该期利息" in page.content()
    assert no_overflow(page)
    shots(page, "2-pay")
    # A double tap sends the form twice: money moves once.
    page.locator("#pay-submit").dblclick()
    page.wait_for_url(re.compile(r".*/repayments/[0-9a-f-]+/$"))
    assert page.locator("#receipt-status").inner_text() == "已收到"
    receipt = page.locator("table.receipt").inner_text()
    assert "利息" in receipt
    assert "本金" in receipt
    assert no_overflow(page)
    shots(page, "3-receipt")
    assert Repayment.objects.filter(kind="payment").count() == 1

    # The next day: the payoff quote for today, then paying it.
    set_business_date(first.due_date + dt.timedelta(days=1))
    page.click("#back-to-loan")
    page.wait_for_url(re.compile(r".*/loans/[0-9a-f-]+/$"))
    assert page.locator("#repayments details").count() == 1
    page.click("#payoff")
    page.wait_for_url(re.compile(r".*/payoff/$"))
    total = page.locator("#payoff-total").inner_text()
    assert total.startswith("¥")
    assert no_overflow(page)
    shots(page, "4-payoff-quote")
    page.click("#payoff-submit")
    page.wait_for_url(re.compile(r".*/repayments/[0-9a-f-]+/$"))
    assert page.locator("#receipt-status").inner_text() == "已收到"
    assert page.locator("#receipt-amount").inner_text() == total
    shots(page, "5-payoff-receipt")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED
    assert loan.principal_outstanding == 0
    page.goto(f"{live_server.url}/home/")
    assert page.locator(f"#loan-{loan.public_id}").count() == 0
    assert page.locator("#borrow-now").count() == 1


def scan_pdf() -> bytes:
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_partial_prepayment_applied_approved_and_executed(live_server, phone, chromium, shots):
    contract = dt.date(2024, 1, 15)
    set_business_date(contract)
    loan = disbursed_loan(
        bank_borrower(contract),
        bank_product(),
        amount="200000",
        term=60,
        method="equal_installment",
        on=contract,
    )
    pay_rows_on_their_due_dates(loan, through=6)
    seventh = loan.installments.get(number=7).due_date
    set_business_date(seventh - dt.timedelta(days=12))
    page = phone
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, loan.borrower)

    page.goto(f"{live_server.url}/loans/{loan.public_id}/")
    page.click("#apply-prepayment")
    page.wait_for_url(re.compile(r".*/prepayment/$"))
    assert "正常还款满 6 个月后" in page.locator("#prepayment-rules").inner_text()
    assert no_overflow(page)
    shots(page, "6-prepayment-rules")
    page.locator("#kinds label", has_text="部分提前还款").click()
    page.select_option("#id_requested_date", str(seventh))
    page.fill("#id_principal", "20000")
    page.locator("#options label", has_text="期限不变").click()
    page.click("#prepayment-preview")

    page.wait_for_load_state()
    assert page.locator("#new-schedule tbody tr").count() == 53  # rows 8-60, the term kept
    saved = page.locator("#interest-saved").inner_text()
    assert saved.startswith("¥")
    assert D(saved[1:].replace(",", "")) > 0
    assert no_overflow(page)
    shots(page, "7-prepayment-preview")
    face = next((FACES / "obama").glob("*.jpg"))
    page.set_input_files(
        "#id_contract",
        files=[{"name": "contract.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}],
    )
    page.set_input_files(
        "#id_bank_card",
        files=[{"name": "card.jpg", "mimeType": "image/jpeg", "buffer": jpeg(text="card")}],
    )
    page.set_input_files(
        "#id_statement",
        files=[{"name": "statement.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}],
    )
    page.set_input_files("#id_id_card", files=[str(face)])
    page.click("#prepayment-submit")
    page.wait_for_url(re.compile(r".*/prepayment-applications/[0-9a-f-]+/$"))
    assert page.locator("#prepayment-status").inner_text() == "已提交"
    assert page.locator("#documents li").count() == 4
    assert no_overflow(page)
    shots(page, "8-application-submitted")
    application = PrepaymentApplication.objects.get()
    assert application.option == "keep_term"
    assert application.principal == D("20000.00")

    # Staff who never touched the application approve it in the admin.
    # A member of the reviewer role (accounts.roles), nothing more.
    reviewer = UserFactory.create(is_staff=True, username="checker", phone="")
    reviewer.groups.add(Group.objects.get(name=REVIEWER.name))
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin_page = desk.new_page()
    sign_in(admin_page, live_server, reviewer)
    admin_page.goto(f"{live_server.url}/admin/repayments/prepaymentapplication/")
    admin_page.goto(
        f"{live_server.url}/admin/repayments/prepaymentapplication/{application.pk}/review/"
    )
    admin_page.check("input[name=decision][value=approve]")
    shots(admin_page, "9-admin-review")
    admin_page.click("input[type=submit]")
    admin_page.wait_for_url(re.compile(r".*/admin/repayments/prepaymentapplication/$"))
    desk.close()
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.decided_by == reviewer

    page.reload()
    assert page.locator("#prepayment-status").inner_text() == "已批准"

    # Its date: the execution collects that month's installment and the prepayment, and
    # the loan gets its new schedule.
    set_business_date(seventh)
    prepayment_execute(application_id=application.pk, business_date=seventh, now=timezone.now())
    page.reload()
    assert page.locator("#prepayment-status").inner_text() == "已执行"
    page.click("#to-loan")
    page.wait_for_url(re.compile(r".*/loans/[0-9a-f-]+/$"))
    versions = page.locator("#schedule-versions")
    assert "第 2 版" in versions.inner_text()
    assert "部分提前还款" in versions.inner_text()
    new_rows = page.locator("#version-2 tbody tr")
    assert new_rows.count() == 53
    assert page.locator("#schedule tbody tr").count() == 60  # 7 paid, 53 new
    assert no_overflow(page)
    shots(page, "10-new-schedule")
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("200000.00") - sum(
        (row.principal for row in loan.installments.filter(number__lte=7, status="paid")), D(0)
    ) - D("20000.00")
