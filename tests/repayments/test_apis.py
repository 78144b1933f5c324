"""The repayment API: paying, payoff, refunds, prepayment applications; idempotency, other
borrowers' ids, bad input; and the same repayment sent 20 times at once."""

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from common.models import BusinessCalendar
from ledger.models import JournalTransaction
from loans.models import Loan
from repayments.models import PrepaymentApplication, Repayment
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


def set_business_date(day):
    BusinessCalendar.objects.filter(pk=1).update(current_date=day)


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def loan(db):
    set_business_date(DRAWN)
    product = MicroProductFactory.create()
    user = borrower(business_date=DRAWN)
    return disbursed_loan(
        user,
        product,
        amount="10000",
        term=10,
        method="equal_principal",
        on=DRAWN,
    )


def post(client, url, body, key):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_pay_what_is_due_and_read_the_receipt(loan):
    set_business_date(dt.date(2024, 4, 10))
    client = client_for(loan.borrower)
    due = client.get(f"/api/v1/loans/{loan.public_id}/amount-due/").json()
    assert due["due_now"] == "1155.00"
    assert due["next_due_date"] == "2024-05-10"
    response = post(
        client, f"/api/v1/loans/{loan.public_id}/repayments/", {"amount": due["due_now"]}, "pay-1"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "succeeded"
    assert {(line["component"], line["amount"]) for line in body["receipt"]} == {
        ("interest", "155.00"),
        ("principal", "1000.00"),
    }
    again = post(
        client, f"/api/v1/loans/{loan.public_id}/repayments/", {"amount": due["due_now"]}, "pay-1"
    )
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == body["id"]
    different = post(
        client, f"/api/v1/loans/{loan.public_id}/repayments/", {"amount": "1.00"}, "pay-1"
    )
    assert different.status_code == 422
    assert Repayment.objects.count() == 1
    listed = client.get(f"/api/v1/loans/{loan.public_id}/repayments/").json()
    assert [r["id"] for r in listed] == [body["id"]]
    assert client.get(f"/api/v1/repayments/{body['id']}/").status_code == 200


def test_another_borrowers_loan_is_a_404_and_bad_input_a_400(loan):
    stranger = borrower(business_date=DRAWN)
    client = client_for(stranger)
    for url in (
        f"/api/v1/loans/{loan.public_id}/amount-due/",
        f"/api/v1/loans/{loan.public_id}/repayments/",
        f"/api/v1/loans/{loan.public_id}/payoff-quote/",
    ):
        assert client.get(url).status_code == 404
    assert (
        post(
            client, f"/api/v1/loans/{loan.public_id}/repayments/", {"amount": "10.00"}, "x"
        ).status_code
        == 404
    )
    mine = client_for(loan.borrower)
    for amount in ("1e3", "\uff11\uff10\uff10", "1_000", "NaN", "-5", "0", "12.345", "9" * 40):
        response = post(
            mine, f"/api/v1/loans/{loan.public_id}/repayments/", {"amount": amount}, f"bad-{amount}"
        )
        assert response.status_code == 400, (amount, response.content)
        assert set(response.json()) == {"detail", "code"}
    no_key = mine.post(
        f"/api/v1/loans/{loan.public_id}/repayments/",
        data=json.dumps({"amount": "10.00"}),
        content_type="application/json",
    )
    assert no_key.status_code == 400
    assert no_key.json()["code"] == "idempotency_key_missing"
    assert Repayment.objects.count() == 0


def test_payoff_quote_is_for_today_only_and_paying_it_closes_the_draw(loan):
    set_business_date(DRAWN + dt.timedelta(days=20))
    client = client_for(loan.borrower)
    url = f"/api/v1/loans/{loan.public_id}/payoff-quote/"
    quote = client.get(url).json()
    assert (quote["interest"], quote["total"], quote["date"]) == (
        "100.00",
        "10100.00",
        "2024-03-30",
    )
    assert client.get(url, {"date": "2024-03-30"}).status_code == 200
    other_day = client.get(url, {"date": "2024-03-31"})
    assert other_day.status_code == 400
    assert other_day.json()["code"] == "payoff_date_not_today"
    assert client.get(url, {"date": "30/03/2024"}).status_code == 400
    part = post(client, f"/api/v1/loans/{loan.public_id}/payoff/", {"amount": "5000.00"}, "po-1")
    assert part.status_code == 400
    assert part.json()["code"] == "payoff_amount_mismatch"
    paid = post(client, f"/api/v1/loans/{loan.public_id}/payoff/", {"amount": "10100.00"}, "po-2")
    assert paid.status_code == 201
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED


def test_a_payoff_is_refused_on_the_day_of_the_draw(loan):
    client = client_for(loan.borrower)
    response = client.get(f"/api/v1/loans/{loan.public_id}/payoff-quote/")
    assert response.status_code == 409
    assert response.json()["code"] == "payoff_same_day"


def test_overpayment_is_held_and_refunded(loan):
    set_business_date(DRAWN + dt.timedelta(days=3))
    client = client_for(loan.borrower)
    post(client, f"/api/v1/loans/{loan.public_id}/repayments/", {"amount": "300.00"}, "early")
    assert (
        client.get(f"/api/v1/loans/{loan.public_id}/amount-due/").json()["held_overpayment"]
        == "300.00"
    )
    too_much = post(client, f"/api/v1/loans/{loan.public_id}/refunds/", {"amount": "300.01"}, "r1")
    assert too_much.status_code == 409
    refund = post(client, f"/api/v1/loans/{loan.public_id}/refunds/", {"amount": "200.00"}, "r2")
    assert refund.status_code == 201
    assert refund.json()["status"] == "succeeded"
    assert (
        client.get(f"/api/v1/loans/{loan.public_id}/amount-due/").json()["held_overpayment"]
        == "100.00"
    )
    assert JournalTransaction.objects.filter(kind="refund").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_repayment_sent_20_times_at_once_moves_money_once():
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()
    set_business_date(DRAWN)
    product = MicroProductFactory.create()
    user = borrower(business_date=DRAWN)
    loan = disbursed_loan(
        user,
        product,
        amount="10000",
        term=10,
        method="equal_principal",
        on=DRAWN,
    )
    set_business_date(dt.date(2024, 4, 10))
    barrier = threading.Barrier(20)
    statuses: list[object] = [None] * 20
    bodies: list[object] = [None] * 20

    def send(index):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait()
            response = client.post(
                f"/api/v1/loans/{loan.public_id}/repayments/",
                data=json.dumps({"amount": "1155.00"}),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="twenty-at-once",
            )
            statuses[index] = response.status_code
            bodies[index] = response.json()
        except Exception as exc:  # inspected below
            statuses[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(code in (201, 409) for code in statuses), statuses
    ids = {body["id"] for body in bodies if isinstance(body, dict) and "id" in body}
    assert len(ids) == 1
    assert Repayment.objects.count() == 1
    assert JournalTransaction.objects.filter(kind="repayment").count() == 1
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("9000.00")


def test_prepayment_application_through_the_api(db):
    contract = dt.date(2024, 1, 15)
    set_business_date(contract)
    user = bank_borrower(contract)
    loan = disbursed_loan(
        user, bank_product(), amount="200000", term=60, method="equal_installment", on=contract
    )
    pay_rows_on_their_due_dates(loan, through=6)
    seventh = loan.installments.get(number=7).due_date
    set_business_date(seventh - dt.timedelta(days=12))
    client = client_for(user)
    check = client.get(
        f"/api/v1/loans/{loan.public_id}/prepayment-eligibility/",
        {
            "kind": "partial",
            "date": str(seventh),
            "principal": "20000.00",
            "option": "keep_installment",
        },
    ).json()
    assert check["eligible"] is True
    assert check["quote"]["new_schedule"]
    too_early = client.get(
        f"/api/v1/loans/{loan.public_id}/prepayment-eligibility/",
        {
            "kind": "partial",
            "date": str(loan.installments.get(number=3).due_date),
            "principal": "20000.00",
            "option": "keep_term",
        },
    ).json()
    assert too_early["eligible"] is False
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = {
        "contract": SimpleUploadedFile("c.pdf", pdf(), "application/pdf"),
        "bank_card": SimpleUploadedFile("b.jpg", jpeg(), "image/jpeg"),
        "statement": SimpleUploadedFile("s.pdf", pdf(), "application/pdf"),
        "id_card": SimpleUploadedFile("i.jpg", jpeg(), "image/jpeg"),
    }
    response = client.post(
        f"/api/v1/loans/{loan.public_id}/prepayment-applications/",
        {
            "kind": "partial",
            "requested_date": str(seventh),
            "principal": "20000.00",
            "option": "keep_installment",
            **files,
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="pp-api",
    )
    assert response.status_code == 201, response.content
    application = response.json()
    assert application["status"] == "submitted"
    listed = client.get("/api/v1/prepayment-applications/").json()
    assert [a["id"] for a in listed] == [application["id"]]
    cancel = client.post(f"/api/v1/prepayment-applications/{application['id']}/cancel/")
    assert cancel.json()["status"] == "cancelled"
    stranger = client_for(borrower(business_date=contract))
    assert stranger.get(f"/api/v1/prepayment-applications/{application['id']}/").status_code == 404
    assert PrepaymentApplication.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_payoff_racing_an_installment_repayment_leaves_a_consistent_loan():
    """The installment due today and the whole payoff, sent at the same moment, on several
    draws: whichever the loan's lock takes first wins. The other is refused against the
    changed loan, or (a payoff whose amount was checked before and whose charge is recorded
    after) still pays the draw off, with what is left over held for a refund. Either way the
    loan is consistent and the ledger agrees with the loans to the fen; the days before are
    closed by the close of business, so the ledger has recognised the interest."""
    from closing.services import business_days_close_until
    from loans.reconciliation import ledger_reconcile
    from repayments.models import Allocation, OverpaymentBalance
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()
    product = MicroProductFactory.create()
    set_business_date(DRAWN)
    loans = []
    for n in range(4):
        user = borrower(business_date=DRAWN)
        loans.append(
            disbursed_loan(
                user,
                product,
                amount="10000",
                term=10,
                method="equal_principal",
                on=DRAWN,
                key=f"race-{n}",
            )
        )
    on = dt.date(2024, 4, 10)
    business_days_close_until(until=on - dt.timedelta(days=1), now=timezone.now())
    assert BusinessCalendar.objects.get(pk=1).current_date == on

    seen: set[tuple[int, int]] = set()
    for loan in loans:
        user = loan.borrower
        barrier = threading.Barrier(2)
        statuses: dict[str, object] = {}

        def send(name, path, amount, loan=loan, user=user, barrier=barrier, statuses=statuses):
            try:
                client = Client()
                client.force_login(user)
                barrier.wait()
                response = client.post(
                    f"/api/v1/loans/{loan.public_id}/{path}/",
                    data=json.dumps({"amount": amount}),
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=f"{name}-{loan.pk}",
                )
                statuses[name] = response.status_code
            except Exception as exc:  # inspected below
                statuses[name] = exc
            finally:
                connection.close()

        threads = [
            threading.Thread(target=send, args=("installment", "repayments", "1155.00")),
            threading.Thread(target=send, args=("payoff", "payoff", "10155.00")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert all(isinstance(code, int) and code < 500 for code in statuses.values()), statuses
        assert 201 in statuses.values(), statuses
        seen.add((statuses["installment"], statuses["payoff"]))  # type: ignore[arg-type]

        loan.refresh_from_db()
        paid = Repayment.objects.filter(loan=loan, status=Repayment.Status.SUCCEEDED)
        assert paid.count() == sum(code == 201 for code in statuses.values())
        allocated = sum((a.amount for a in Allocation.objects.filter(repayment__loan=loan)), D(0))
        received = sum((r.amount for r in paid), D(0))
        held = OverpaymentBalance.objects.filter(loan=loan).values_list("amount", flat=True)
        assert received == allocated + sum(held, D(0))
        principal_paid = sum(
            (
                a.amount
                for a in Allocation.objects.filter(repayment__loan=loan, component="principal")
            ),
            D("0"),
        )
        assert loan.principal_outstanding == D("10000.00") - principal_paid
        if statuses["payoff"] == 201:
            assert loan.status == Loan.Status.SETTLED
            assert loan.principal_outstanding == D("0.00")
        else:
            assert loan.status == Loan.Status.ACTIVE
            assert loan.principal_outstanding == D("9000.00")
            assert loan.installments.get(number=1).status == "paid"
        reconciliation = ledger_reconcile(business_date=on)
        assert reconciliation.is_clean, [
            (str(line.account), line.ledger, line.derived)
            for line in reconciliation.lines
            if line.ledger != line.derived
        ]
    assert seen
