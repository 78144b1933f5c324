"""The borrower API: every endpoint for success, validation, anonymous callers, another
borrower's objects, staff callers and idempotent retries."""

import json
import uuid
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from loans.models import Loan, LoanApplication
from tests.loans.factories import MicroProductFactory, UserFactory, borrower

D = Decimal


@pytest.fixture
def micro(business_date):
    return MicroProductFactory.create()


def client_for(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_DEVICE_ID="device-test-0001")
    return client


@pytest.fixture
def alice(micro, business_date):
    return borrower(business_date=business_date)


@pytest.fixture
def bob(micro, business_date):
    return borrower(business_date=business_date)


def apply(client, key="k-1", **body):
    payload = {
        "product": "weili",
        "amount": "1000.00",
        "term": 5,
        "method": "equal_principal",
        "accept_contract": True,
    }
    payload.update(body)
    return client.post(
        "/api/v1/applications/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_products_and_credit_lines(alice):
    client = client_for(alice)
    products = client.get("/api/v1/products/").json()
    assert [p["code"] for p in products] == ["weili"]
    assert products[0]["allowed_terms"] == [5, 10, 20]
    assert products[0]["methods"] == ["equal_principal", "equal_installment"]
    lines = client.get("/api/v1/credit-lines/").json()
    assert len(lines) == 1
    assert lines[0]["limit"] == "25000.00"
    assert lines[0]["available"] == "25000.00"
    assert lines[0]["annualized_rate_simple"] == "0.126000"


def test_preview_is_the_borrowers_own_price_and_changes_nothing(alice):
    response = client_for(alice).post(
        "/api/v1/applications/preview/",
        data=json.dumps(
            {"product": "weili", "amount": "2500", "term": 5, "method": "equal_principal"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert [row["interest"] for row in data["installments"]] == [
        "27.13",
        "21.00",
        "16.28",
        "10.85",
        "5.25",
    ]
    assert data["annualized_rate_simple"] == "0.126000"
    assert LoanApplication.objects.count() == 0


def test_apply_creates_and_disburses_then_retry_returns_the_same(alice):
    client = client_for(alice)
    first = apply(client, key="retry-me")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["status"] == "disbursed"
    assert data["loan"] is not None
    again = apply(client, key="retry-me")
    # The first answer, replayed (common/idempotency.py).
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == data["id"]
    assert LoanApplication.objects.count() == 1
    assert Loan.objects.count() == 1
    loan = client.get(f"/api/v1/loans/{data['loan']}/").json()
    assert loan["principal"] == "1000.00"
    assert len(loan["installments"]) == 5
    assert loan["installments"][0]["state"] == "upcoming"
    assert loan["payout_status"] == "pending"
    assert [item["id"] for item in client.get("/api/v1/loans/").json()] == [data["loan"]]
    assert client.get(f"/api/v1/applications/{data['id']}/").json()["status"] == "disbursed"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": "50"}, 400, "amount_below_minimum"),
        ({"amount": "1050"}, 400, "amount_not_a_multiple"),
        ({"amount": "40100"}, 400, "amount_above_maximum"),
        ({"amount": "30000"}, 400, "amount_above_available"),
        ({"amount": "abc"}, 400, "amount_invalid"),
        ({"term": 7}, 400, "term_not_offered"),
        ({"term": 0}, 400, "term_min_value"),
        ({"method": "balloon"}, 400, "method_invalid_choice"),
        ({"product": "nope"}, 400, "product_unknown"),
        ({"product": None}, 400, "product_required"),
    ],
)
def test_apply_validation(alice, body, status, code):
    payload = {k: v for k, v in body.items() if v is not None}
    if body.get("product", "") is None:
        response = client_for(alice).post(
            "/api/v1/applications/",
            data=json.dumps(
                {"amount": "100", "term": 5, "method": "equal_principal", "accept_contract": True}
            ),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="x",
        )
    else:
        response = apply(client_for(alice), key=str(uuid.uuid4()), **payload)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert LoanApplication.objects.count() == 0


def test_apply_needs_an_idempotency_key(alice):
    response = client_for(alice).post(
        "/api/v1/applications/",
        data=json.dumps(
            {"product": "weili", "amount": "100", "term": 5, "method": "equal_principal"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"


def test_key_reused_for_a_different_request_is_refused(alice):
    """Payment-API semantics (common/idempotency.py): a different body under a used key
    is a 422, not a second application."""
    client = client_for(alice)
    assert apply(client, key="same").status_code == 201
    response = apply(client, key="same", amount="2000")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert LoanApplication.objects.count() == 1


def test_the_same_request_again_replays_the_first_answer(alice):
    client = client_for(alice)
    first = apply(client, key="again")
    assert first.status_code == 201
    second = apply(client, key="again")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert LoanApplication.objects.count() == 1


def test_a_refused_request_leaves_its_key_free_for_a_corrected_one(alice):
    client = client_for(alice)
    refused = apply(client, key="fix-me", amount="150")
    assert refused.status_code == 400
    assert apply(client, key="fix-me", amount="200").status_code == 201


ENDPOINTS = [
    ("get", "/api/v1/products/"),
    ("get", "/api/v1/credit-lines/"),
    ("get", "/api/v1/applications/"),
    ("post", "/api/v1/applications/"),
    ("post", "/api/v1/applications/preview/"),
    ("get", "/api/v1/loans/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_are_refused(db, method, url):
    response = getattr(APIClient(), method)(url)
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_staff_are_not_borrowers(db, method, url):
    staff = UserFactory.create(is_staff=True)
    response = getattr(client_for(staff), method)(url)
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_borrower"


def test_another_borrowers_objects_are_not_found(alice, bob):
    data = apply(client_for(alice), key="alice-1").json()
    bob_client = client_for(bob)
    for url in (
        f"/api/v1/applications/{data['id']}/",
        f"/api/v1/loans/{data['loan']}/",
    ):
        response = bob_client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    response = bob_client.post(f"/api/v1/applications/{data['id']}/cancel/")
    assert response.status_code == 404
    assert bob_client.get("/api/v1/applications/").json() == []
    assert bob_client.get("/api/v1/loans/").json() == []
    assert client_for(bob).get("/api/v1/credit-lines/").json()[0]["available"] == "25000.00"


def test_face_check_application_waits_and_can_be_cancelled(alice):
    client = client_for(alice)
    apply(client, key="first")
    data = apply(client, key="big", amount="8000").json()
    assert data["status"] == "face_check_required"
    assert data["face_check_required"] is True
    assert data["loan"] is None
    # Which rules fired is for staff only: it would teach fraudsters what to avoid.
    assert "risk" not in json.dumps(data)
    response = client.post(f"/api/v1/applications/{data['id']}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/applications/{data['id']}/cancel/")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_no_api_can_approve_or_disburse(alice):
    client = client_for(alice)
    apply(client, key="first")
    data = apply(client, key="big", amount="8000").json()
    for suffix in ("approve/", "disburse/", "face-check-pass/"):
        response = client.post(f"/api/v1/applications/{data['id']}/{suffix}")
        assert response.status_code == 404
    response = client.patch(
        f"/api/v1/applications/{data['id']}/",
        data=json.dumps({"status": "approved"}),
        content_type="application/json",
    )
    assert response.status_code == 405
    assert LoanApplication.objects.get(public_id=data["id"]).status == "face_check_required"


def test_unknown_uuid_is_not_found(alice):
    response = client_for(alice).get(f"/api/v1/loans/{uuid.uuid4()}/")
    assert response.status_code == 404


def test_schema_lists_the_borrower_api(client, db):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/applications/", "/api/v1/loans/{public_id}/", "/api/v1/credit-lines/"):
        assert path in schema
    assert "Idempotency-Key" in schema


def test_apply_is_refused_without_accepting_the_contract(alice):
    for body in ({"accept_contract": False}, {"accept_contract": "maybe"}):
        response = apply(client_for(alice), key=str(uuid.uuid4()), **body)
        assert response.status_code == 400
        assert response.json()["code"] in {"contract_not_accepted", "accept_contract_invalid"}
    payload = {"product": "weili", "amount": "1000.00", "term": 5, "method": "equal_principal"}
    response = client_for(alice).post(
        "/api/v1/applications/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="no-accept",
    )
    assert response.json()["code"] == "accept_contract_required"
    assert LoanApplication.objects.count() == 0


def test_the_contract_shown_is_the_contract_stored(alice):
    client = client_for(alice)
    body = {"product": "weili", "amount": "2500", "term": 5, "method": "equal_principal"}
    shown = client.post(
        "/api/v1/applications/contract/", data=json.dumps(body), content_type="application/json"
    ).json()
    assert shown["version"]
    assert "2,500.00" in shown["text"]
    assert next(row["interest"] for row in shown["schedule"]["installments"]) in shown["text"]
    response = apply(client, key="with-digest", amount="2500", contract_digest=shown["digest"])
    assert response.status_code == 201, response.content
    application = LoanApplication.objects.get(public_id=response.json()["id"])
    assert application.contract.text == shown["text"]
    assert application.contract.digest == shown["digest"]
    assert response.json()["terms_accepted_at"] is not None


def test_a_contract_that_changed_since_it_was_shown_is_refused(alice):
    response = apply(client_for(alice), key="stale", contract_digest="0" * 64)
    assert response.status_code == 409
    assert response.json()["code"] == "contract_changed"
    assert LoanApplication.objects.count() == 0
