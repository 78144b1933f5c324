"""Staff review written prepayment applications in the admin: the queue, the review page
with its checks and documents (opened only with the permission, every look logged), the
decision through the services."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from common.models import BusinessCalendar
from repayments.models import DocumentAccess, PrepaymentApplication
from tests.accounts.factories import UserFactory
from tests.repayments.factories import (
    bank_borrower,
    bank_product,
    disbursed_loan,
    pay_rows_on_their_due_dates,
)
from tests.repayments.test_prepayments import submit


@pytest.fixture
def application(db):
    contract = dt.date(2024, 1, 15)
    BusinessCalendar.objects.filter(pk=1).update(current_date=contract)
    loan = disbursed_loan(
        bank_borrower(contract),
        bank_product(),
        amount="120000",
        term=36,
        method="equal_installment",
        on=contract,
    )
    pay_rows_on_their_due_dates(loan, through=6)
    seventh = loan.installments.get(number=7).due_date
    on = seventh - dt.timedelta(days=10)
    BusinessCalendar.objects.filter(pk=1).update(current_date=on)
    return submit(loan, principal="10000.00", date=seventh, on=on)


def staff_with(*codenames):
    user = UserFactory.create(is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return user, client


def test_the_queue_and_the_review_page_show_checks_and_documents(application):
    _, client = staff_with("view_prepaymentapplication", "review_prepaymentapplication")
    queue = client.get("/admin/repayments/prepaymentapplication/")
    assert queue.status_code == 200
    assert str(application.requested_date) in queue.content.decode()
    page = client.get(f"/admin/repayments/prepaymentapplication/{application.pk}/review/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Every rule holds today." in html
    assert html.count("opening it needs the document permission") == 4
    document = application.documents.first()
    assert (
        client.get(f"/admin/repayments/prepaymentapplication/documents/{document.pk}/").status_code
        == 403
    )
    assert DocumentAccess.objects.count() == 0


def test_opening_a_document_needs_the_permission_and_is_logged(application):
    staff, client = staff_with("view_prepaymentapplication", "view_prepayment_documents")
    document = application.documents.get(kind="bank_card")
    response = client.get(f"/admin/repayments/prepaymentapplication/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response.content[:3] == b"\xff\xd8\xff"
    access = DocumentAccess.objects.get()
    assert (access.staff, access.document) == (staff, document)


def test_staff_approve_and_a_rejection_needs_a_reason(application):
    _, client = staff_with("view_prepaymentapplication", "review_prepaymentapplication")
    url = f"/admin/repayments/prepaymentapplication/{application.pk}/review/"
    refused = client.post(url, {"decision": "reject", "reason": ""})
    assert refused.status_code == 200
    assert "Say why" in refused.content.decode()
    approved = client.post(url, {"decision": "approve"})
    assert approved.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"


def test_viewing_without_the_review_permission_cannot_decide(application):
    _, client = staff_with("view_prepaymentapplication")
    url = f"/admin/repayments/prepaymentapplication/{application.pk}/review/"
    assert 'value="Decide"' not in client.get(url).content.decode()
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert PrepaymentApplication.objects.get(pk=application.pk).status == "submitted"
