"""The schedule's wire format: one serializer, money always plain digits with two places,
rates with six (never an exponent such as "1E+4")."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loans.apis import schedule_to_json
from loans.apis.preview import ScheduleOutputSerializer
from loans.schedule import (
    Installment,
    InterestRate,
    RepaymentMethod,
    Schedule,
    build_schedule,
)

D = Decimal
MONEY = re.compile(r"^\d+\.\d{2}$")
RATE = re.compile(r"^\d+\.\d{6}$")
MONEY_FIELDS = ("principal", "interest", "total", "balance")


def assert_wire_format(data):
    for row in data["installments"]:
        for name in MONEY_FIELDS:
            assert MONEY.match(row[name]), (name, row[name])
    for name in ("total_principal", "total_interest", "total"):
        assert MONEY.match(data[name]), (name, data[name])
    for name in ("annualized_rate_simple", "annualized_rate_irr"):
        assert RATE.match(data[name]), (name, data[name])


def test_decimals_in_exponent_form_are_written_as_plain_money():
    # A schedule whose decimals carry exponents (as Decimal("1E+4") does) still goes out
    # as 10000.00.
    row = Installment(
        number=1,
        period_start_date=dt.date(2024, 1, 1),
        due_date=dt.date(2024, 2, 1),
        days=31,
        opening_balance=D("1E+4"),
        principal=D("1E+4"),
        interest=D("0E-8"),
        balance=D("0E+2"),
    )
    schedule = Schedule(
        principal=D("1E+4"),
        rate=InterestRate.annual(D("0E-8")),
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        start_date=dt.date(2024, 1, 1),
        installments=(row,),
        annualized_rate_simple=D("0E-4"),
        annualized_rate_irr=D("2E-1"),
    )
    data = schedule_to_json(schedule)
    assert data["installments"][0]["principal"] == "10000.00"
    assert data["installments"][0]["interest"] == "0.00"
    assert data["installments"][0]["balance"] == "0.00"
    assert data["total"] == "10000.00"
    assert data["annualized_rate_irr"] == "0.200000"
    assert_wire_format(data)


def test_schedule_to_json_is_the_serializer():
    schedule = build_schedule(
        principal=D("10000"),
        term=3,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        rate=InterestRate.annual(D("0.0435")),
        start_date=dt.date(2024, 1, 15),
    )
    assert schedule_to_json(schedule) == ScheduleOutputSerializer(schedule).data


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # Whole hundreds and millions are where an exponent would show first.
    yuan=st.one_of(
        st.sampled_from([10**k for k in range(2, 9)]), st.integers(min_value=1, max_value=10**8)
    ),
    term=st.sampled_from([1, 5, 12, 36]),
    method=st.sampled_from(["equal_principal", "equal_installment"]),
)
@pytest.mark.django_db
def test_the_preview_api_writes_plain_money(api_client, yuan, term, method):
    body = {
        "principal": f"{yuan}" if yuan % 2 else f"{yuan}.00",
        "term": term,
        "method": method,
        "annual_rate": "0.0435",
        "start_date": "2024-01-15",
    }
    response = api_client.post(
        "/api/v1/schedule-preview/", data=json.dumps(body), content_type="application/json"
    )
    if response.status_code == 400:
        # Too small for the term: a row without principal.
        assert response.json()["code"] == "schedule_not_representable"
        return
    assert response.status_code == 200, response.json()
    assert_wire_format(response.json())
