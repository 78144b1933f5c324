"""The schedule-preview API contract (issue: foundation, §5)."""

import json
from decimal import Decimal

import pytest

URL = "/api/v1/schedule-preview/"


def post(client, body):
    # In English, so the tests can match the words of each message.
    return client.post(
        URL, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.fixture
def bank_body():
    return {
        "principal": "10000.00",
        "term": 12,
        "method": "equal_installment",
        "annual_rate": "0.0435",
        "start_date": "2024-01-15",
    }


def test_preview_reproduces_the_equal_installment_check_figures(api_client, bank_body, db):
    response = post(api_client, bank_body)
    assert response.status_code == 200
    data = response.json()
    rows = data["installments"]
    assert len(rows) == 12
    assert rows[0] == {
        "number": 1,
        "due_date": "2024-02-15",
        "days": 31,
        "principal": "816.85",
        "interest": "36.25",
        "total": "853.10",
        "balance": "9183.15",
    }
    assert rows[-1]["total"] == "853.09"
    assert rows[-1]["balance"] == "0.00"
    assert data["total_interest"] == "237.19"
    assert data["total_principal"] == "10000.00"
    assert data["total"] == "10237.19"
    assert data["annualized_rate_simple"] == "0.043500"
    assert data["annualized_rate_irr"] == "0.043500"


def test_preview_daily_rate_check_figures(api_client, db):
    response = post(
        api_client,
        {
            "principal": "2500.00",
            "term": 5,
            "method": "equal_principal",
            "daily_rate": "0.0005",
            "start_date": "2024-05-10",
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert [row["interest"] for row in data["installments"]] == [
        "38.75",
        "30.00",
        "23.25",
        "15.50",
        "7.50",
    ]
    assert [row["days"] for row in data["installments"]] == [31, 30, 31, 31, 30]
    assert [row["due_date"] for row in data["installments"]] == [
        "2024-06-10",
        "2024-07-10",
        "2024-08-10",
        "2024-09-10",
        "2024-10-10",
    ]
    assert data["annualized_rate_simple"] == "0.180000"
    assert Decimal(data["annualized_rate_irr"]) > Decimal("0.18")


def test_preview_equal_principal_check_figures(api_client, db):
    response = post(
        api_client,
        {"principal": "30000", "term": 24, "method": "equal_principal", "annual_rate": "0.06"},
    )
    assert response.status_code == 200
    totals = [row["total"] for row in response.json()["installments"]]
    assert totals[0] == "1400.00"
    assert totals[1] == "1393.75"
    assert totals[14] == "1312.50"


def test_preview_first_due_date_and_same_day_each_month(api_client, db):
    response = post(
        api_client,
        {
            "principal": "3000",
            "term": 3,
            "method": "equal_principal",
            "daily_rate": "0.0005",
            "start_date": "2024-01-15",
            "first_due_date": "2024-02-21",
        },
    )
    assert response.status_code == 200
    rows = response.json()["installments"]
    assert [row["due_date"] for row in rows] == ["2024-02-21", "2024-03-21", "2024-04-21"]
    assert rows[0]["days"] == 37
    assert rows[0]["interest"] == "55.50"  # 3000 × 0.0005 × 37


def test_preview_first_draw_late_in_month_uses_the_21st(api_client, db):
    response = post(
        api_client,
        {
            "principal": "1000",
            "term": 5,
            "method": "equal_principal",
            "daily_rate": "0.0005",
            "start_date": "2024-01-30",
        },
    )
    assert response.status_code == 200
    assert response.json()["installments"][0]["due_date"] == "2024-02-21"


def test_preview_whole_yuan_rounding(api_client, bank_body, db):
    response = post(api_client, {**bank_body, "installment_rounding": "1"})
    assert response.status_code == 200
    rows = response.json()["installments"]
    assert {row["total"] for row in rows[:-1]} == {"853.00"}
    assert rows[-1]["balance"] == "0.00"
    assert sum(Decimal(row["principal"]) for row in rows) == Decimal("10000.00")


def test_preview_defaults_start_date_to_the_business_date(api_client, bank_body, business_date):
    del bank_body["start_date"]
    response = post(api_client, bank_body)
    assert response.status_code == 200
    assert response.json()["installments"][0]["due_date"] == "2024-06-10"


def test_preview_accepts_json_numbers_exactly(api_client, db):
    response = api_client.post(
        URL,
        data='{"principal": 10000.00, "term": 12, "method": "equal_installment", '
        '"annual_rate": 0.0435, "start_date": "2024-01-15"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["installments"][0]["total"] == "853.10"


@pytest.mark.parametrize(
    ("change", "code", "mentions"),
    [
        ({"principal": None}, "principal_required", "principal"),
        ({"term": None}, "term_required", "term"),
        ({"method": None}, "method_required", "method"),
        ({"method": "balloon"}, "method_invalid_choice", "method"),
        ({"annual_rate": None}, "rate_missing", "rate"),
        ({"daily_rate": "0.0005"}, "rate_ambiguous", "not both"),
        ({"principal": "0"}, "principal_not_positive", "greater than zero"),
        ({"principal": "-100"}, "principal_not_positive", "greater than zero"),
        ({"principal": "ten thousand"}, "principal_invalid", "number"),
        ({"principal": "100.005"}, "principal_too_many_places", "decimal places"),
        ({"principal": "1e400"}, "principal_invalid", "number"),
        ({"principal": "100000000.01"}, "principal_too_large", "at most"),
        ({"principal": "NaN"}, "principal_invalid", "number"),
        ({"principal": True}, "principal_invalid", "number"),
        ({"annual_rate": "0"}, "annual_rate_not_positive", "greater than zero"),
        ({"annual_rate": "-0.01"}, "annual_rate_not_positive", "greater than zero"),
        ({"annual_rate": "abc"}, "annual_rate_invalid", "number"),
        ({"annual_rate": "0.30"}, "rate_above_cap", "cap"),
        ({"term": 0}, "term_min_value", "between 1 and 360"),
        ({"term": 361}, "term_max_value", "between 1 and 360"),
        ({"term": "twelve"}, "term_invalid", "whole number"),
        ({"start_date": "2024-13-01"}, "start_date_invalid", "YYYY-MM-DD"),
        ({"start_date": "15/01/2024"}, "start_date_invalid", "YYYY-MM-DD"),
        ({"first_due_date": "2024-01-10"}, "first_due_date", "after the start date"),
        ({"installment_rounding": "0"}, "installment_rounding_not_positive", "greater than zero"),
        ({"installment_rounding": "0.001"}, "installment_rounding_too_many_places", "places"),
    ],
)
def test_preview_bad_input_answers_400_naming_the_problem(
    api_client, bank_body, db, change, code, mentions
):
    body = dict(bank_body)
    for key, value in change.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    response = post(api_client, body)
    assert response.status_code == 400, response.json()
    data = response.json()
    assert set(data) == {"detail", "code"}
    assert data["code"] == code
    assert mentions.lower() in data["detail"].lower()


def test_preview_daily_rate_above_cap_is_refused(api_client, db):
    # 0.07% a day is 25.2% simple: above the 24% cap.
    response = post(
        api_client,
        {"principal": "1000", "term": 5, "method": "equal_principal", "daily_rate": "0.0007"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "rate_above_cap"


def test_preview_irr_above_cap_is_refused_even_when_simple_rate_is_below(api_client, db):
    # 0.06666% a day is 23.9976% simple (24.00% disclosed, which the cap allows), but its
    # IRR on the actual dates is 24.10%.
    response = post(
        api_client,
        {
            "principal": "10000",
            "term": 12,
            "method": "equal_principal",
            "daily_rate": "0.0006666",
            "start_date": "2024-01-15",
        },
    )
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "rate_above_cap"
    assert "IRR" in data["detail"]


def test_preview_malformed_json_is_a_400(api_client, db):
    response = api_client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_preview_needs_no_login_and_changes_nothing(api_client, bank_body, db):
    from ledger.models import JournalTransaction
    from loans.models import Loan

    response = post(api_client, bank_body)
    assert response.status_code == 200
    assert Loan.objects.count() == 0
    assert JournalTransaction.objects.count() == 0


def test_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/schedule-preview/" in schema.content
    assert b"annualized_rate_irr" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"first_due_date": "9990-01-01"}, "first_due_date"),
        ({"first_due_date": "2024-06-15"}, "first_due_date"),
        ({"start_date": "9990-01-01"}, "start_date_out_of_range"),
        ({"start_date": "0001-01-01"}, "start_date_out_of_range"),
    ],
)
def test_preview_refuses_dates_far_out(api_client, bank_body, db, change, code):
    response = post(api_client, {**bank_body, **change})
    assert response.status_code == 400
    assert response.json()["code"] == code
