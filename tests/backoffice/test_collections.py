"""The collections queue: overdue loans, contact notes and promises to pay (insert-only,
through their services), in the admin with its inlines and bulk actions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from backoffice.models import CollectionNote, PromiseToPay
from backoffice.selectors.collections import PromiseState, promise_states
from backoffice.services import collection_note_record, promise_to_pay_record
from common.exceptions import InvalidInput
from tests.backoffice import factories as f

D = Decimal
days = dt.timedelta


def _note(loan, staff, on, **overrides):
    values = {
        "loan_id": loan.pk,
        "author": staff,
        "channel": "phone",
        "outcome": "reached",
        "note": "Spoke to the borrower",
        "business_date": on,
        "now": timezone.now(),
    }
    values.update(overrides)
    return collection_note_record(**values)


def _promise(loan, staff, on, **overrides):
    values = {
        "loan_id": loan.pk,
        "author": staff,
        "amount": D("500.00"),
        "promised_date": on + days(5),
        "note": "",
        "business_date": on,
        "now": timezone.now(),
    }
    values.update(overrides)
    return promise_to_pay_record(**values)


@pytest.fixture
def overdue(business_date):
    loan = f.micro_loan("3000.00", business_date - days(40))
    f.age(loan, on=business_date, days_past_due=12)
    loan.refresh_from_db()
    return loan


def test_a_note_records_the_days_past_due_and_is_insert_only(overdue, business_date):
    note = _note(overdue, f.staff_member(), business_date)
    assert note.days_past_due == 12
    with pytest.raises(DatabaseError), transaction.atomic():
        CollectionNote.objects.filter(pk=note.pk).update(note="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        CollectionNote.objects.filter(pk=note.pk).delete()
    assert CollectionNote.objects.get(pk=note.pk).note == "Spoke to the borrower"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"channel": "pigeon"}, "channel_invalid"),
        ({"outcome": "maybe"}, "outcome_invalid"),
        ({"outcome": "refused", "note": "  "}, "note_required"),
        ({"note": "x" * 501}, "note_too_long"),
    ],
)
def test_a_bad_note_is_refused_and_nothing_is_stored(overdue, business_date, overrides, code):
    with pytest.raises(InvalidInput) as refused:
        _note(overdue, f.staff_member(), business_date, **overrides)
    assert refused.value.code == code
    assert not CollectionNote.objects.exists()


def test_a_loan_that_is_not_overdue_takes_no_note_or_promise(business_date):
    current = f.micro_loan("1000.00", business_date - days(3))
    staff = f.staff_member()
    with pytest.raises(InvalidInput) as refused:
        _note(current, staff, business_date)
    assert refused.value.code == "loan_not_overdue"
    with pytest.raises(InvalidInput):
        _promise(current, staff, business_date)
    assert not CollectionNote.objects.exists()
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount": D("0.00")}, "amount_invalid"),
        ({"amount": D("-5.00")}, "amount_invalid"),
        ({"amount": D("1.005")}, "amount_invalid"),
        ({"promised_date": dt.date(2024, 5, 9)}, "promise_in_the_past"),
        ({"promised_date": dt.date(2024, 7, 10)}, "promise_too_far"),
    ],
)
def test_a_bad_promise_is_refused(overdue, business_date, overrides, code):
    with pytest.raises(InvalidInput) as refused:
        _promise(overdue, f.staff_member(), business_date, **overrides)
    assert refused.value.code == code
    assert not PromiseToPay.objects.exists()


def test_the_database_refuses_a_promise_for_a_past_day(overdue, business_date):
    with pytest.raises(DatabaseError), transaction.atomic():
        PromiseToPay.objects.create(
            loan=overdue,
            amount=D("1.00"),
            promised_date=business_date - days(1),
            business_date=business_date,
            author=f.staff_member(),
            created_at=timezone.now(),
        )


def test_a_promise_is_kept_by_what_was_received_by_its_day(business_date):
    on = business_date
    loan = f.micro_loan("3000.00", on - days(3))
    f.age(loan, on=on - days(2), days_past_due=5)
    staff = f.staff_member()
    kept = _promise(loan, staff, on - days(2), amount=D("30.00"), promised_date=on - days(1))
    broken = _promise(loan, staff, on - days(2), amount=D("500.00"), promised_date=on - days(1))
    waiting = _promise(loan, staff, on - days(2), amount=D("500.00"), promised_date=on + days(2))
    f.pay(loan, "30.00", on - days(1), "kept")
    states = promise_states([kept, broken, waiting], on=on)
    assert states == {
        kept.pk: PromiseState.KEPT,
        broken.pk: PromiseState.BROKEN,
        waiting.pk: PromiseState.WAITING,
    }


def test_the_queue_lists_overdue_loans_only_with_their_days_past_due(admin_client, business_date):
    on = business_date
    overdue = f.micro_loan("3000.00", on - days(40))
    f.age(overdue, on=on, days_past_due=45)
    current = f.micro_loan("1000.00", on - days(3))
    _note(overdue, f.staff_member(), on, outcome="no_answer", note="")
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = admin_client.get("/admin/backoffice/overdueloan/").content.decode()
    assert str(overdue.public_id) in html
    assert str(current.public_id) not in html
    assert '<td class="field-days_past_due">45</td>' in html
    assert "No answer" in html
    assert f"/admin/loans/loan/{overdue.pk}/story/" in html
    # The bucket filter: 31–60 has it, 1–30 does not.
    assert (
        str(overdue.public_id)
        in admin_client.get("/admin/backoffice/overdueloan/?dpd=dpd_31_60").content.decode()
    )
    assert (
        str(overdue.public_id)
        not in admin_client.get("/admin/backoffice/overdueloan/?dpd=dpd_1_30").content.decode()
    )


def _inline_post(note=None, promise=None):
    data = {
        "collection_notes-TOTAL_FORMS": "1",
        "collection_notes-INITIAL_FORMS": "0",
        "promises_to_pay-TOTAL_FORMS": "1",
        "promises_to_pay-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    for key, value in (note or {}).items():
        data[f"collection_notes-0-{key}"] = value
    for key, value in (promise or {}).items():
        data[f"promises_to_pay-0-{key}"] = value
    return data


def test_staff_record_a_contact_and_a_promise_on_the_loans_page(
    admin_client, overdue, business_date
):
    url = f"/admin/backoffice/overdueloan/{overdue.pk}/change/"
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        _inline_post(
            note={"channel": "phone", "outcome": "promised", "note": "Pays on Friday"},
            promise={"amount": "800.00", "promised_date": "2024-05-14", "note": "Friday"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    note = CollectionNote.objects.get()
    assert (note.outcome, note.note, note.days_past_due) == ("promised", "Pays on Friday", 12)
    assert note.author.username == "admin"
    promise = PromiseToPay.objects.get()
    assert (promise.amount, promise.promised_date) == (D("800.00"), dt.date(2024, 5, 14))
    overdue.refresh_from_db()
    assert overdue.oldest_unpaid_due_date == business_date - days(12)  # the loan unchanged
    page = admin_client.get(url).content.decode()
    assert "Pays on Friday" in page
    assert "Not yet due" in page


def test_a_bad_promise_on_the_page_is_shown_and_nothing_is_stored(admin_client, overdue):
    url = f"/admin/backoffice/overdueloan/{overdue.pk}/change/"
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = admin_client.post(
        url,
        _inline_post(
            note={"channel": "phone", "outcome": "reached", "note": "ok"},
            promise={"amount": "800.00", "promised_date": "2024-05-01"},
        ),
    )
    assert response.status_code == 200
    assert "A promise is for today or a later day." in response.content.decode()
    assert not CollectionNote.objects.exists()
    assert not PromiseToPay.objects.exists()


def test_an_amount_in_full_width_digits_is_refused_on_the_page(admin_client, overdue):
    url = f"/admin/backoffice/overdueloan/{overdue.pk}/change/"
    response = admin_client.post(
        url,
        _inline_post(
            promise={
                "amount": "\uff18\uff10\uff10.00",  # full-width 800
                "promised_date": "2024-05-14",
            }
        ),
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not PromiseToPay.objects.exists()


def test_a_round_of_calls_is_recorded_for_the_selected_loans(admin_client, business_date):
    loans = [f.micro_loan("1000.00", business_date - days(40)) for _ in range(2)]
    for loan in loans:
        f.age(loan, on=business_date, days_past_due=20)
    response = admin_client.post(
        "/admin/backoffice/overdueloan/",
        {"action": "record_no_answer", "_selected_action": [loan.pk for loan in loans]},
    )
    assert response.status_code == 302
    assert sorted(CollectionNote.objects.values_list("loan_id", "outcome", "channel")) == sorted(
        (loan.pk, "no_answer", "phone") for loan in loans
    )


def test_staff_without_the_permission_cannot_open_the_queue(client, overdue):
    client.force_login(f.staff_member())
    assert client.get("/admin/backoffice/overdueloan/").status_code == 403


def test_the_queues_queries_do_not_grow_with_its_rows(admin_client, business_date):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = f.staff_member()
    first = f.micro_loan("1000.00", business_date - days(40))
    f.age(first, on=business_date, days_past_due=20)
    _note(first, staff, business_date)
    admin_client.get("/admin/backoffice/overdueloan/")
    with CaptureQueriesContext(connection) as one:
        admin_client.get("/admin/backoffice/overdueloan/")
    for _ in range(3):
        loan = f.micro_loan("1000.00", business_date - days(40))
        f.age(loan, on=business_date, days_past_due=50)
        _note(loan, staff, business_date)
        _promise(loan, staff, business_date)
    with CaptureQueriesContext(connection) as four:
        html = admin_client.get("/admin/backoffice/overdueloan/").content.decode()
    assert html.count('class="field-days_past_due"') == 4
    assert len(four) == len(one)
