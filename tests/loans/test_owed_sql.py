"""The set-based SQL of what is owed (loans/owed_sql.py, used by the close of business and
the reconciliation) gives the pure functions' figures (loans.schedule.accrual) to the fen,
on random installments, states and dates."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from loans import owed_sql
from loans.schedule import RateBasis
from loans.schedule.accrual import AccrualTerms, InstallmentAccrual, owed_on

D = Decimal
FEN = D("0.01")

_SQL = f"""
SELECT {owed_sql.interest_owed("%(on)s::date")},
       {owed_sql.penalty_owed("%(on)s::date")},
       {owed_sql.compound_owed("%(on)s::date")}
  FROM (SELECT %(period_start_date)s::date AS period_start_date,
               %(due_date)s::date AS due_date,
               %(principal)s::numeric AS principal,
               %(interest)s::numeric AS interest,
               %(principal_paid)s::numeric AS principal_paid,
               %(interest_paid)s::numeric AS interest_paid,
               %(interest_span_start_date)s::date AS interest_span_start_date,
               %(interest_span_base)s::numeric AS interest_span_base,
               %(interest_accrued_before_span)s::numeric AS interest_accrued_before_span,
               %(penalty_span_start_date)s::date AS penalty_span_start_date,
               %(penalty_accrued_before_span)s::numeric AS penalty_accrued_before_span,
               %(compound_span_start_date)s::date AS compound_span_start_date,
               %(compound_accrued_before_span)s::numeric AS compound_accrued_before_span) i,
       (SELECT %(daily_rate)s::numeric AS daily_rate,
               %(annual_rate)s::numeric AS annual_rate,
               %(grace_days)s::integer AS grace_days,
               %(penalty_rate_multiplier)s::numeric AS penalty_rate_multiplier,
               %(compound_interest_enabled)s::boolean AS compound_interest_enabled) l
"""  # noqa: S608 - constant fragments; every value is a parameter


def money(low: str, high: str):
    return st.decimals(min_value=D(low), max_value=D(high), places=2)


@st.composite
def cases(draw):
    basis = draw(st.sampled_from([RateBasis.DAILY, RateBasis.ANNUAL]))
    rate = (
        draw(st.decimals(min_value=D("0.0001"), max_value=D("0.0006"), places=6))
        if basis is RateBasis.DAILY
        else draw(st.decimals(min_value=D("0.01"), max_value=D("0.24"), places=5))
    )
    start = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)))
    days = draw(st.integers(min_value=15, max_value=45))
    due = start + dt.timedelta(days=days)
    opening = draw(money("100.00", "1000000.00"))
    principal = draw(st.decimals(min_value=D("0.00"), max_value=opening, places=2))
    interest = draw(money("0.00", "20000.00"))
    principal_paid = draw(st.decimals(min_value=D("0.00"), max_value=principal, places=2))
    interest_paid = draw(st.decimals(min_value=D("0.00"), max_value=interest, places=2))
    cut = draw(st.booleans())
    interest_start = start + dt.timedelta(days=draw(st.integers(0, days))) if cut else start
    penalty_start = (
        due + dt.timedelta(days=draw(st.integers(0, 60))) if draw(st.booleans()) else None
    )
    compound_start = (
        due + dt.timedelta(days=draw(st.integers(0, 60))) if draw(st.booleans()) else None
    )
    state = InstallmentAccrual(
        period_start_date=start,
        due_date=due,
        opening_balance=opening,
        principal=principal,
        interest=interest,
        principal_paid=principal_paid,
        interest_paid=interest_paid,
        interest_span_start_date=interest_start,
        interest_accrued_before_span=draw(money("0.00", "500.00")) if cut else D("0.00"),
        interest_span_base=draw(st.decimals(min_value=D("0"), max_value=opening, places=2))
        if cut
        else opening,
        penalty_span_start_date=penalty_start,
        penalty_accrued_before_span=draw(money("0.00", "500.00")) if penalty_start else D(0),
        compound_span_start_date=compound_start,
        compound_accrued_before_span=draw(money("0.00", "50.00")) if compound_start else D(0),
    )
    terms = AccrualTerms(
        basis=basis,
        rate=rate,
        grace_days=draw(st.integers(0, 5)),
        penalty_rate_multiplier=draw(st.sampled_from([D("1"), D("1.5"), D("2")])),
        compound_interest_enabled=draw(st.booleans()),
    )
    on = start + dt.timedelta(days=draw(st.integers(-5, days + 120)))
    return terms, state, on


def sql_owed(terms, state, on):
    params = {
        "on": on,
        "period_start_date": state.period_start_date,
        "due_date": state.due_date,
        "principal": state.principal,
        "interest": state.interest,
        "principal_paid": state.principal_paid,
        "interest_paid": state.interest_paid,
        "interest_span_start_date": state.interest_start,
        "interest_span_base": state.interest_base,
        "interest_accrued_before_span": state.interest_accrued_before_span,
        "penalty_span_start_date": state.penalty_span_start_date,
        "penalty_accrued_before_span": state.penalty_accrued_before_span,
        "compound_span_start_date": state.compound_span_start_date,
        "compound_accrued_before_span": state.compound_accrued_before_span,
        "daily_rate": terms.rate if terms.basis is RateBasis.DAILY else None,
        "annual_rate": terms.rate if terms.basis is RateBasis.ANNUAL else None,
        "grace_days": terms.grace_days,
        "penalty_rate_multiplier": terms.penalty_rate_multiplier,
        "compound_interest_enabled": terms.compound_interest_enabled,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        return tuple(D(value).quantize(FEN) for value in cursor.fetchone())


class OwedSqlMatchesThePureFunctions(TestCase):
    @settings(max_examples=300, deadline=None)
    @given(cases())
    def test_sql_and_python_agree_to_the_fen(self, case):
        terms, state, on = case
        expected = owed_on(terms, state, on)
        assert sql_owed(terms, state, on) == (
            expected.interest,
            expected.penalty,
            expected.compound,
        )

    def test_the_check_figures_in_sql(self):
        """DOMAIN.md's overdue example: 1,000.00 + 135.00 due 2024-05-10 at 0.05%/day, paid
        2024-05-15: penalty 3.75, compound 0.51."""
        state = InstallmentAccrual(
            period_start_date=dt.date(2024, 4, 10),
            due_date=dt.date(2024, 5, 10),
            opening_balance=D("9000.00"),
            principal=D("1000.00"),
            interest=D("135.00"),
        )
        terms = AccrualTerms(RateBasis.DAILY, D("0.0005"), 1, D("1.5"), True)
        assert sql_owed(terms, state, dt.date(2024, 5, 15)) == (
            D("135.00"),
            D("3.75"),
            D("0.51"),
        )
        assert sql_owed(terms, state, dt.date(2024, 5, 11)) == (D("135.00"), 0, 0)
