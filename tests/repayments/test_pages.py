"""The borrower's repayment pages: Home and the loan page, paying with its receipt, payoff,
refund, the prepayment application with its preview and documents. Another borrower's ids
are a 404, bad input is a message next to the field with nothing stored, and the same form
sent twice moves money once."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from common.models import BusinessCalendar, IdempotencyRecord
from ledger.models import JournalTransaction
from loans.models import Loan
from repayments.models import (
    OverpaymentBalance,
    PrepaymentApplication,
    PrepaymentDocument,
    Refund,
    Repayment,
)
from repayments.services.prepayments import prepayment_application_approve, prepayment_execute
from tests.accounts.factories import UserFactory
from tests.loans.factories import MicroProductFactory, borrower
from tests.repayments.factories import (
    bank_borrower,
    bank_product,
    disbursed_loan,
    jpeg,
    pay_rows_on_their_due_dates,
    pdf,
)

D = Decimal
DRAWN = dt.date(2024, 3, 10)
CONTRACT = dt.date(2024, 1, 15)


def set_business_date(day):
    BusinessCalendar.objects.filter(pk=1).update(current_date=day)


def logged_in(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def form_key(html):
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None, "the form carries no idempotency key"
    return found.group(1)


def counts():
    return (
        Repayment.objects.count(),
        Refund.objects.count(),
        PrepaymentApplication.objects.count(),
        PrepaymentDocument.objects.count(),
        JournalTransaction.objects.count(),
        IdempotencyRecord.objects.count(),
    )


@pytest.fixture
def loan(db):
    set_business_date(DRAWN)
    product = MicroProductFactory.create()
    user = borrower(business_date=DRAWN)
    return disbursed_loan(
        user, product, amount="10000", term=10, method="equal_principal", on=DRAWN
    )


@pytest.fixture
def bank_loan(db):
    """200,000.00 over 60 months with six installments paid on time; twelve days before the
    seventh due date."""
    set_business_date(CONTRACT)
    user = bank_borrower(CONTRACT)
    loan = disbursed_loan(
        user, bank_product(), amount="200000", term=60, method="equal_installment", on=CONTRACT
    )
    pay_rows_on_their_due_dates(loan, through=6)
    set_business_date(loan.installments.get(number=7).due_date - dt.timedelta(days=12))
    return loan


def first_due(loan):
    return loan.installments.get(number=1)


def test_home_shows_the_next_payment_and_what_is_still_owed(loan):
    html = logged_in(loan.borrower).get("/home/").content.decode()
    row = first_due(loan)
    assert "Next payment, " + row.due_date.isoformat() in html
    assert f"¥{row.principal + row.interest:,.2f}" in html
    assert "Still owed" in html
    assert "overdue-warning" not in html
    assert 'id="borrow-now"' in html


def test_home_warns_of_what_is_overdue_with_penalty_and_hides_borrowing(loan):
    row = first_due(loan)
    set_business_date(row.due_date + dt.timedelta(days=5))
    client = logged_in(loan.borrower)
    html = client.get("/home/").content.decode()
    assert "overdue-warning" in html
    assert 'id="borrow-now"' not in html
    assert 'id="borrowing-blocked"' in html
    assert f"/loans/{loan.public_id}/pay/" in html
    due = client.get(f"/api/v1/loans/{loan.public_id}/amount-due/").json()
    assert D(due["penalty"]) > 0
    assert f"¥{D(due['overdue']):,.2f} is overdue" in html
    assert D(due["overdue"]) == row.principal + row.interest + D(due["penalty"]) + D(
        due["compound"]
    )
    chinese = logged_in(loan.borrower, "zh-hans").get("/home/").content.decode()
    assert "逾期" in chinese


def test_pay_what_is_due_shows_the_receipt_and_a_double_submit_moves_money_once(loan):
    row = first_due(loan)
    set_business_date(row.due_date)
    client = logged_in(loan.borrower)
    page = client.get(f"/loans/{loan.public_id}/pay/").content.decode()
    due = row.principal + row.interest
    assert f'value="{due}"' in page
    assert "does not reduce its interest" in page
    key = form_key(page)
    before = JournalTransaction.objects.count()
    first = client.post(
        f"/loans/{loan.public_id}/pay/", {"amount": str(due), "idempotency_key": key}
    )
    again = client.post(
        f"/loans/{loan.public_id}/pay/", {"amount": str(due), "idempotency_key": key}
    )
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    repayment = Repayment.objects.get()
    assert repayment.status == "succeeded"
    assert repayment.amount == due
    assert JournalTransaction.objects.count() > before
    posted = JournalTransaction.objects.count()
    client.post(f"/loans/{loan.public_id}/pay/", {"amount": str(due), "idempotency_key": key})
    assert JournalTransaction.objects.count() == posted
    receipt = client.get(first["Location"]).content.decode()
    assert "We received" in receipt
    assert f"#1 · <time>{row.due_date:%Y-%m-%d}</time>" in receipt
    assert "Interest" in receipt
    assert "Principal" in receipt
    loan_page = client.get(f"/loans/{loan.public_id}/").content.decode()
    assert repayment.get_kind_display() in loan_page
    assert f"/repayments/{repayment.public_id}/" in loan_page


def test_bad_amounts_are_refused_next_to_the_field_and_nothing_is_stored(loan):
    row = first_due(loan)
    set_business_date(row.due_date)
    client = logged_in(loan.borrower)
    key = form_key(client.get(f"/loans/{loan.public_id}/pay/").content.decode())
    before = counts()
    for amount, message in [
        ("\uff11\uff10\uff10", "Enter the amount as a number"),  # full-width digits
        ("1e3", "Enter the amount as a number"),
        ("10.001", "at most two decimal places"),
        ("-5", "greater than zero"),
        ("1.00", "Pay at least what is due now"),
        ("99999999", "more than this loan could still owe"),
        ("9" * 40, "larger than"),
    ]:
        response = client.post(
            f"/loans/{loan.public_id}/pay/", {"amount": amount, "idempotency_key": key}
        )
        assert response.status_code == 200, amount
        assert message in response.content.decode(), amount
        assert 'aria-invalid="true"' in response.content.decode()
    assert counts() == before
    missing_key = client.post(f"/loans/{loan.public_id}/pay/", {"amount": "5000.00"})
    assert missing_key.status_code == 200
    assert counts() == before


def test_another_borrowers_ids_are_a_404(loan, bank_loan):
    stranger = logged_in(borrower(business_date=DRAWN))
    row = first_due(loan)
    set_business_date(row.due_date)
    owner = logged_in(loan.borrower)
    key = form_key(owner.get(f"/loans/{loan.public_id}/pay/").content.decode())
    paid = owner.post(
        f"/loans/{loan.public_id}/pay/",
        {"amount": str(row.principal + row.interest), "idempotency_key": key},
    )
    receipt_url = paid["Location"]
    before = counts()
    for url in [
        f"/loans/{loan.public_id}/pay/",
        f"/loans/{loan.public_id}/payoff/",
        f"/loans/{loan.public_id}/refund/",
        f"/loans/{bank_loan.public_id}/prepayment/",
        receipt_url,
    ]:
        assert stranger.get(url).status_code == 404, url
        assert (
            stranger.post(url, {"amount": "100.00", "idempotency_key": "k" * 12}).status_code == 404
        )
    assert counts() == before


def test_payoff_quotes_today_and_paying_it_closes_the_draw_once(loan):
    client = logged_in(loan.borrower)
    same_day = client.get(f"/loans/{loan.public_id}/payoff/").content.decode()
    assert "from the day after it was drawn" in same_day
    assert 'id="payoff-form"' not in same_day
    set_business_date(DRAWN + dt.timedelta(days=20))
    page = client.get(f"/loans/{loan.public_id}/payoff/").content.decode()
    quote = client.get(f"/api/v1/loans/{loan.public_id}/payoff-quote/").json()
    assert D(quote["interest"]) == D("100.00")  # DOMAIN.md: 20 days of 10,000 at 0.05%
    assert f"¥{D(quote['total']):,.2f}" in page
    key = form_key(page)
    # A quote of another day (the page left open overnight) is refused and nothing moves.
    before = counts()
    stale = client.post(
        f"/loans/{loan.public_id}/payoff/", {"amount": "10095.00", "idempotency_key": key}
    )
    assert stale.status_code == 200
    assert "A payoff pays the whole draw" in stale.content.decode()
    assert counts() == before
    body = {"amount": quote["total"], "idempotency_key": key}
    first = client.post(f"/loans/{loan.public_id}/payoff/", body)
    again = client.post(f"/loans/{loan.public_id}/payoff/", body)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Repayment.objects.filter(kind="payoff").count() == 1
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED
    assert "We received" in client.get(first["Location"]).content.decode()


def test_money_held_is_shown_and_refunded_once(loan):
    row = first_due(loan)
    set_business_date(row.due_date)
    client = logged_in(loan.borrower)
    key = form_key(client.get(f"/loans/{loan.public_id}/pay/").content.decode())
    due = row.principal + row.interest
    client.post(f"/loans/{loan.public_id}/pay/", {"amount": str(due + 300), "idempotency_key": key})
    assert OverpaymentBalance.objects.get(loan=loan).amount == D("300.00")
    loan_page = client.get(f"/loans/{loan.public_id}/").content.decode()
    assert 'id="held"' in loan_page
    assert f"/loans/{loan.public_id}/refund/" in loan_page
    refund_page = client.get(f"/loans/{loan.public_id}/refund/").content.decode()
    key = form_key(refund_page)
    before = counts()
    too_much = client.post(
        f"/loans/{loan.public_id}/refund/", {"amount": "300.01", "idempotency_key": key}
    )
    assert "Only ¥300.00" in too_much.content.decode() or "Only 300.00" in too_much.content.decode()
    assert counts() == before
    body = {"amount": "200.00", "idempotency_key": key}
    assert client.post(f"/loans/{loan.public_id}/refund/", body).status_code == 302
    assert client.post(f"/loans/{loan.public_id}/refund/", body).status_code == 302
    assert Refund.objects.count() == 1
    assert OverpaymentBalance.objects.get(loan=loan).amount == D("100.00")


def documents_upload(**replace):
    files = {
        "contract": SimpleUploadedFile("contract.pdf", pdf(pages=2), "application/pdf"),
        "bank_card": SimpleUploadedFile("card.jpg", jpeg(text="card"), "image/jpeg"),
        "statement": SimpleUploadedFile("statement.pdf", pdf(), "application/pdf"),
        "id_card": SimpleUploadedFile("id.jpg", jpeg(text="id"), "image/jpeg"),
    }
    files.update(replace)
    return files


def test_prepayment_rules_preview_documents_and_submit_once(bank_loan):
    client = logged_in(bank_loan.borrower)
    url = f"/loans/{bank_loan.public_id}/prepayment/"
    rules = client.get(url).content.decode()
    assert "When a prepayment is possible" in rules
    assert "After 6 months of normal repayment" in rules
    key = form_key(rules)
    seventh = bank_loan.installments.get(number=7).due_date
    assert f'value="{seventh}"' in rules
    choice = {
        "kind": "partial",
        "requested_date": str(seventh),
        "principal": "20000.00",
        "option": "keep_installment",
        "idempotency_key": key,
    }
    preview = client.get(url, choice).content.decode()
    api = client.get(
        f"/api/v1/loans/{bank_loan.public_id}/prepayment-eligibility/",
        {
            "kind": "partial",
            "date": str(seventh),
            "principal": "20000.00",
            "option": "keep_installment",
        },
    ).json()
    assert f"¥{D(api['quote']['interest_saved']):,.2f}" in preview
    assert 'id="new-schedule"' in preview
    assert preview.count("<tr><td>") == len(api["quote"]["new_schedule"])
    assert 'enctype="multipart/form-data"' in preview
    before = counts()
    # A renamed executable is refused next to its field; nothing is stored.
    refused = client.post(
        url,
        {
            **choice,
            **documents_upload(
                id_card=SimpleUploadedFile("id.jpg", b"MZ\x90\x00" + b"\x00" * 400, "image/jpeg")
            ),
        },
    )
    assert refused.status_code == 200
    assert "Send a photo (JPEG or PNG) or a PDF" in refused.content.decode()
    missing = client.post(url, choice)
    assert "Add this document." in missing.content.decode()
    assert counts() == before
    first = client.post(url, {**choice, **documents_upload()})
    again = client.post(url, {**choice, **documents_upload()})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    application = PrepaymentApplication.objects.get()
    assert application.status == "submitted"
    assert application.option == "keep_installment"
    assert PrepaymentDocument.objects.count() == 4
    detail = client.get(first["Location"]).content.decode()
    assert "Submitted" in detail
    assert 'id="cancel-prepayment"' in detail
    assert str(application.public_id) in client.get("/prepayment-applications/").content.decode()
    loan_page = client.get(f"/loans/{bank_loan.public_id}/").content.decode()
    assert f"/prepayment-applications/{application.public_id}/" in loan_page
    assert 'id="apply-prepayment"' not in loan_page  # one open application per loan
    document = application.documents.get(kind="contract")
    download = client.get(
        f"/prepayment-applications/{application.public_id}/documents/{document.pk}/"
    )
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF-")
    stranger = logged_in(borrower(business_date=CONTRACT))
    assert stranger.get(first["Location"]).status_code == 404
    assert (
        stranger.get(
            f"/prepayment-applications/{application.public_id}/documents/{document.pk}/"
        ).status_code
        == 404
    )


def test_a_prepayment_that_breaks_a_rule_is_explained_and_not_stored(bank_loan):
    client = logged_in(bank_loan.borrower)
    url = f"/loans/{bank_loan.public_id}/prepayment/"
    key = form_key(client.get(url).content.decode())
    seventh = bank_loan.installments.get(number=7).due_date
    choice = {
        "kind": "partial",
        "requested_date": str(seventh),
        "principal": "15000.00",
        "option": "keep_term",
        "idempotency_key": key,
    }
    page = client.get(url, choice).content.decode()
    assert "multiple of" in page
    assert 'id="new-schedule"' not in page
    no_option = client.get(url, {**choice, "principal": "20000.00", "option": ""}).content.decode()
    assert "keep the term or keep the installment" in no_option
    before = counts()
    response = client.post(url, {**choice, **documents_upload()})
    assert response.status_code == 200
    assert counts() == before
    # A date the form does not offer (before the seventh installment) is refused.
    third = bank_loan.installments.get(number=3).due_date
    page = client.get(url, {**choice, "principal": "20000.00", "requested_date": str(third)})
    assert "Select a valid choice" in page.content.decode()


def test_overdue_bank_loan_explains_why_no_prepayment_is_possible(bank_loan):
    seventh = bank_loan.installments.get(number=7)
    set_business_date(seventh.due_date + dt.timedelta(days=3))
    html = logged_in(bank_loan.borrower).get(f"/loans/{bank_loan.public_id}/prepayment/")
    text = html.content.decode()
    assert 'id="not-eligible"' in text
    assert "Something is overdue" in text
    assert 'id="prepayment-form"' not in text


def test_cancel_while_submitted_and_the_new_schedule_after_execution(bank_loan):
    client = logged_in(bank_loan.borrower)
    url = f"/loans/{bank_loan.public_id}/prepayment/"
    seventh = bank_loan.installments.get(number=7).due_date
    choice = {
        "kind": "partial",
        "requested_date": str(seventh),
        "principal": "20000.00",
        "option": "keep_term",
    }
    first = client.post(
        url,
        {
            **choice,
            "idempotency_key": form_key(client.get(url).content.decode()),
            **documents_upload(),
        },
    )
    application = PrepaymentApplication.objects.get()
    client.post(first["Location"], {"action": "cancel"})
    application.refresh_from_db()
    assert application.status == "cancelled"
    assert "Cancelled" in client.get(first["Location"]).content.decode()
    second = client.post(
        url,
        {
            **choice,
            "idempotency_key": form_key(client.get(url).content.decode()),
            **documents_upload(),
        },
    )
    application = PrepaymentApplication.objects.get(status="submitted")
    reviewer = UserFactory.create(is_staff=True, username="checker")
    prepayment_application_approve(
        application_id=application.pk,
        reviewer=reviewer,
        business_date=seventh - dt.timedelta(days=5),
        now=timezone.now(),
    )
    detail = client.get(second["Location"]).content.decode()
    assert "Approved" in detail
    assert 'id="cancel-prepayment"' not in detail
    refused = client.post(second["Location"], {"action": "cancel"})
    assert refused.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    set_business_date(seventh)
    prepayment_execute(application_id=application.pk, business_date=seventh, now=timezone.now())
    application.refresh_from_db()
    assert application.status == "executed"
    loan_page = client.get(f"/loans/{bank_loan.public_id}/").content.decode()
    assert 'id="schedule-versions"' in loan_page
    assert "Partial prepayment, term kept" in loan_page
    assert "Version 2" in loan_page
    chinese = logged_in(bank_loan.borrower, "zh-hans").get(f"/loans/{bank_loan.public_id}/")
    assert "还款计划版本" in chinese.content.decode()
