"""The back office in the browser: staff sign in to the dashboard (figures and charts in
Chinese), open the collections queue from it, record a contact and a promise on an overdue
loan, and read the loan's whole story."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from accounts.roles import COLLECTIONS
from backoffice.models import CollectionNote, PromiseToPay
from tests.accounts.factories import StaffFactory
from tests.backoffice import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_collections_work_from_the_dashboard(live_server, chromium, business_date):
    loan = f.micro_loan("3000.00", business_date - dt.timedelta(days=40), phone="13700001111")
    f.age(loan, on=business_date, days_past_due=35)
    # A member of the collections role (accounts.roles), nothing more.
    staff = StaffFactory.create(username="collector")
    staff.groups.add(Group.objects.get(name=COLLECTIONS.name))
    staff.set_password("collector-pass-2024")
    staff.save()

    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "collector")
    page.fill("#id_password", "collector-pass-2024")
    page.click("input[type=submit]")

    # The dashboard: the business date, the aging table and three charts.
    page.wait_for_selector("#dashboard")
    assert page.inner_text("#tile-business-date").startswith("营业日")
    assert "2024-05-10" in page.inner_text("#tile-business-date")
    assert page.inner_text("#bucket-dpd_31_60 td.num >> nth=0") == "1"
    assert page.locator("figure.chart svg").count() == 3
    # The queues this role works (the others are for other roles).
    assert "待催收的逾期贷款" in page.locator("#queues").inner_text()

    # The collections queue, from the dashboard's link.
    page.click("#queues >> text=待催收的逾期贷款")
    page.wait_for_selector("#result_list")
    assert "137****1111" in page.inner_text("#result_list")
    assert page.inner_text("td.field-days_past_due") == "35"
    page.click(f"#result_list a >> text={loan.public_id}")

    page.select_option("#id_collection_notes-0-channel", "phone")
    page.select_option("#id_collection_notes-0-outcome", "promised")
    page.fill("#id_collection_notes-0-note", "周五还款")
    page.fill("#id_promises_to_pay-0-amount", "800.00")
    page.fill("#id_promises_to_pay-0-promised_date", "2024-05-14")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert "周五还款" in page.content()
    note = CollectionNote.objects.get()
    assert (note.author.username, note.days_past_due) == ("collector", 35)
    assert str(PromiseToPay.objects.get().amount) == "800.00"

    # The loan's whole story, with the note, the borrower masked.
    page.click("text=打开")
    page.wait_for_selector("#story-collections")
    assert "周五还款" in page.inner_text("#story-collections")
    assert page.inner_text("#story-phone") == "137****1111"
    assert "13700001111" not in page.content()
    assert errors == []
    context.close()
