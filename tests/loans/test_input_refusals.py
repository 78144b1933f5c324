"""Amounts that are not plain ASCII decimals are refused everywhere money enters (DOMAIN.md
§8): the schedule preview, the application preview and submission, and the apply page.
Each refusal is a 400 `{"detail", "code"}` (or the message next to the field) and
nothing is stored."""

import json
import uuid

import pytest
from django.utils import translation

from ledger.models import JournalLine
from loans.models import Loan, LoanApplication
from tests.loans.factories import MicroProductFactory, borrower
from tests.loans.test_apis_borrower import client_for
from tests.loans.test_pages import choose, logged_in

BAD_AMOUNTS = [
    ("1e30", "invalid"),
    ("1E+4", "invalid"),
    ("12345678901234567890123456.789", "too_many_places"),
    ("12345678901234567890123456.78", "too_large"),
    ("NaN", "invalid"),
    ("Infinity", "invalid"),
    ("-Infinity", "invalid"),
    ("\uff11\uff10\uff10\uff10", "invalid"),  # full-width 1000
    ("1_000", "invalid"),
    ("1000.000", "too_many_places"),
]


def _counts():
    return (LoanApplication.objects.count(), Loan.objects.count(), JournalLine.objects.count())


@pytest.fixture
def alice(business_date):
    MicroProductFactory.create()
    return borrower(business_date=business_date)


def _post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_the_schedule_preview_refuses_them(api_client, db, amount, code):
    body = {"principal": amount, "term": 12, "method": "equal_installment", "annual_rate": "0.0435"}
    response = _post(api_client, "/api/v1/schedule-preview/", body)
    assert response.status_code == 400
    assert response.json()["code"] == f"principal_{code}"


@pytest.mark.parametrize(
    "rate", ["1e30", "NaN", "Infinity", "0.0\uff14", "0_1", "1" * 29 + ".123", "0.000000001"]
)
def test_the_schedule_preview_refuses_such_rates(api_client, db, rate):
    for field in ("annual_rate", "daily_rate"):
        body = {"principal": "1000", "term": 12, "method": "equal_installment", field: rate}
        response = _post(api_client, "/api/v1/schedule-preview/", body)
        assert response.status_code == 400, response.content
        assert response.json()["code"].startswith(field)


def test_json_numbers_in_exponent_form_are_refused(api_client, db):
    raw = '{"principal": 1e4, "term": 12, "method": "equal_installment", "annual_rate": "0.04"}'
    response = api_client.post("/api/v1/schedule-preview/", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "principal_invalid"
    plain = raw.replace("1e4", "10000.00")
    ok = api_client.post("/api/v1/schedule-preview/", plain, content_type="application/json")
    assert ok.status_code == 200


@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_applications_and_their_preview_refuse_them(alice, amount, code):
    client = client_for(alice)
    before = _counts()
    body = {"product": "weili", "amount": amount, "term": 5, "method": "equal_principal"}
    preview = _post(client, "/api/v1/applications/preview/", body)
    assert preview.status_code == 400
    assert preview.json()["code"] == f"amount_{code}"
    submit = _post(client, "/api/v1/applications/", body, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert submit.status_code == 400
    assert set(submit.json()) == {"detail", "code"}
    assert submit.json()["code"] == f"amount_{code}"
    assert _counts() == before


@pytest.mark.parametrize("field", ["method", "product"])
def test_a_lone_surrogate_in_a_choice_is_refused(alice, field):
    client = client_for(alice)
    body = {"product": "weili", "amount": "1000", "term": 5, "method": "equal_principal"}
    raw = json.dumps(body).replace(f'"{body[field]}"', '"\\ud800"')
    response = client.post(
        "/api/v1/applications/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert LoanApplication.objects.count() == 0


@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_the_apply_page_shows_the_refusal_next_to_the_amount(alice, amount, code):
    before = _counts()
    # The first step of the apply page (choosing the draw) refuses it next to the field.
    response, _ = choose(logged_in(alice, language="zh-hans"), amount=amount)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.as_data()["amount"][0].code == code
    with translation.override("zh-hans"):
        expected = {
            "invalid": "请输入数字金额，例如 10000 或 10000.50。",
            "too_many_places": "金额最多保留两位小数。",
            "too_large": "该金额超出了可借上限。",
        }[code]
    assert expected in response.content.decode()
    assert _counts() == before


def test_the_apply_page_puts_a_rule_of_the_product_next_to_the_amount(alice):
    response, _ = choose(logged_in(alice), amount="1050")
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert LoanApplication.objects.count() == 0
