"""Staff at work in the back office, each in their role: finance sees a trial balance of
zero and a clean reconciliation and exports the loans; the auditor opens the pages and
finds no button that changes anything."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import AUDITOR, FINANCE, RISK_OFFICER
from common.selectors import business_date_get
from loans.demo import demo_data_load
from loans.models import Loan
from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough staff password"


def staff_in(role, username):
    user = UserFactory.create(is_staff=True, username=username)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=role.name))
    return user


@pytest.fixture
def desk(chromium, live_server):
    demo_data_load(business_date=business_date_get(), now=timezone.now())
    context = chromium.new_context(locale="en-US", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()

    def sign_in(username):
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        return page

    yield sign_in
    context.close()


def test_finance_balances_reconciles_and_exports(desk, live_server):
    staff_in(FINANCE, "finance")
    page = desk("finance")
    page.goto(f"{live_server.url}/admin/ledger/account/trial-balance/")
    assert page.locator("#trial-balance-difference").inner_text() == "0.00"
    page.goto(f"{live_server.url}/admin/loans/loan/reconciliation/")
    assert page.locator("#reconciliation-verdict").inner_text() == (
        "The ledger agrees with the loans."
    )

    page.goto(f"{live_server.url}/admin/loans/loan/")
    page.locator("a.export_link").click()
    page.select_option("select[name=format]", label="csv")
    with page.expect_download() as download:
        page.locator("input[type=submit]").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    loan = Loan.objects.get()
    assert str(loan.public_id) in content
    assert content.splitlines()[0].startswith("public id,borrower,product")


def test_the_auditor_opens_everything_and_finds_nothing_to_change(desk, live_server):
    staff_in(AUDITOR, "auditor")
    page = desk("auditor")
    for path in (
        "/admin/loans/riskrule/",
        "/admin/repayments/prepaymentapplication/",
        "/admin/verification/manualreview/",
        "/admin/ledger/journaltransaction/",
        "/admin/loans/loan/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("#changelist").count() == 1, path
        # No action menu, no editable cells (nor action boxes), no add button, no export.
        assert page.locator("select[name=action]").count() == 0, path
        assert page.locator("#result_list input").count() == 0, path
        assert page.locator("a.addlink").count() == 0, path
        assert page.locator("a.export_link").count() == 0, path
    page.goto(f"{live_server.url}/admin/common/businesscalendar/close/")
    assert page.locator("input[type=submit]").count() == 0
    page.goto(f"{live_server.url}/admin/loans/loan/reconciliation/")
    assert page.locator("#reconciliation-verdict").count() == 1


def test_the_risk_officer_decides_a_manual_face_review(desk, live_server, business_date):
    """A borrower with no camera asked for a manual review; a member of the risk officer
    role opens the queue, sees the request, records how the identity was checked and
    approves it: the loan is paid out."""
    from django.utils import timezone as tz

    from tests.backoffice import factories as f
    from verification.models import ManualReview
    from verification.services import manual_review_request

    application = f.face_check_waiting(business_date)
    review = manual_review_request(
        borrower=application.borrower,
        application_public_id=application.public_id,
        reason=ManualReview.Reason.NO_CAMERA,
        note="My phone has no camera",
        now=tz.now(),
    )
    staff_in(RISK_OFFICER, "risk")
    page = desk("risk")
    page.goto(f"{live_server.url}/admin/verification/manualreview/?status__exact=pending")
    assert page.locator(f'a[href*="/manualreview/{review.pk}/change/"]').count() >= 1
    page.goto(f"{live_server.url}/admin/verification/manualreview/{review.pk}/decide/")
    assert "My phone has no camera" in page.content()
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=note]", "Video call, ID card shown")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/verification/manualreview/**")
    review.refresh_from_db()
    assert review.status == ManualReview.Status.APPROVED
    assert review.reviewer is not None
    assert review.reviewer.username == "risk"
    assert Loan.objects.filter(application=review.application).exists()
