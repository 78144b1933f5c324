"""The loan's whole story on one admin page: everything recorded about the loan, the
borrower masked, in a number of queries that does not grow with the loan's history."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.services import collection_note_record, promise_to_pay_record
from tests.backoffice import factories as f

days = dt.timedelta


def _story(client, loan):
    return client.get(f"/admin/loans/loan/{loan.pk}/story/")


def test_the_story_shows_everything_recorded_about_the_loan(admin_client, business_date):
    on = business_date
    loan = f.micro_loan("3000.00", on - days(20), phone="13912345678")
    f.pay(loan, "70.00", on - days(19), "early")
    f.overdue_record(loan, principal="600.00", overdue_from=on - days(2))
    f.face_attempts(loan, ["fail", "pass"])
    f.prepayment_waiting(loan, on)
    f.close_failed(loan, on)
    f.age(loan, on=on, days_past_due=3)
    staff = f.staff_member()
    collection_note_record(
        loan_id=loan.pk,
        author=staff,
        channel="phone",
        outcome="promised",
        note="Will pay on Friday",
        business_date=on,
        now=timezone.now(),
    )
    promise_to_pay_record(
        loan_id=loan.pk,
        author=staff,
        amount=loan.principal_outstanding,
        promised_date=on + days(3),
        note="",
        business_date=on,
        now=timezone.now(),
    )
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = _story(admin_client, loan)
    assert page.status_code == 200
    html = page.content.decode()
    # The borrower, masked: never the whole phone or ID number.
    assert "139****5678" in html
    assert "13912345678" not in html
    assert loan.borrower.profile.id_number not in html
    assert loan.borrower.profile.id_number_masked in html
    assert "张*" in html
    for section in (
        "story-terms",
        "story-schedule",
        "story-repayments",
        "story-ledger",
        "story-events",
        "story-verification",
        "story-prepayments",
        "story-overdue",
        "story-collections",
        "story-notifications",
    ):
        assert f'id="{section}"' in html
    assert "Version 1" in html
    assert "Contract (disbursement)" in html
    assert "¥70.00" in html  # the repayment
    assert "1101" in html  # the principal account's postings
    assert "Will pay on Friday" in html
    assert "¥600.00" in html  # the overdue record
    assert "Loan paid out" in html  # the notice sent at disbursement
    assert "boom" in html  # the close's flag
    assert "penalty rate multiplier" in html.lower()  # a frozen term


def test_the_storys_queries_do_not_grow_with_the_loans_history(admin_client, business_date):
    on = business_date
    quiet = f.micro_loan("1000.00", on - days(20))
    busy = f.micro_loan("3000.00", on - days(20))
    # One of each for the quiet loan (so each list and its children are read), many for
    # the busy one.
    f.pay(quiet, "10.00", on - days(19), "pay")
    f.prepayment_waiting(quiet, on)
    for n in range(5):
        f.pay(busy, "10.00", on - days(19 - n), f"pay-{n}")
    f.overdue_record(busy, principal="600.00", overdue_from=on - days(2))
    f.face_attempts(busy, ["fail", "fail", "pass"])
    f.prepayment_waiting(busy, on)
    _story(admin_client, quiet)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert _story(admin_client, quiet).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert _story(admin_client, busy).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 30


def test_a_missing_loan_is_not_found_and_the_story_needs_the_permission(
    admin_client, client, business_date
):
    assert admin_client.get("/admin/loans/loan/999999/story/").status_code == 404
    loan = f.micro_loan("1000.00", business_date)
    client.force_login(f.staff_member())
    assert _story(client, loan).status_code == 403


def test_the_loan_list_links_to_the_story(admin_client, business_date):
    loan = f.micro_loan("1000.00", business_date)
    html = admin_client.get("/admin/loans/loan/").content.decode()
    assert f"/admin/loans/loan/{loan.pk}/story/" in html
    html = admin_client.get(f"/admin/loans/loan/{loan.pk}/change/").content.decode()
    assert f"/admin/loans/loan/{loan.pk}/story/" in html
