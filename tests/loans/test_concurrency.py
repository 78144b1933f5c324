"""Two simultaneous draws on PostgreSQL, each on its own connection."""

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from common.exceptions import DomainError
from common.selectors import business_date_get
from ledger.selectors import trial_balance
from loans.models import CreditLine, Loan, LoanApplication, RiskRule
from loans.selectors import credit_line_available
from loans.services import loan_application_submit
from tests.loans.factories import CLIENT, MicroProductFactory, borrower

D = Decimal


def _race(user, product, amounts):
    barrier = threading.Barrier(len(amounts))
    outcomes: list[object] = [None] * len(amounts)

    def draw(index, amount):
        try:
            barrier.wait()
            outcomes[index] = loan_application_submit(
                borrower=user,
                product=product,
                amount=amount,
                term=5,
                method="equal_principal",
                idempotency_key=f"race-{index}",
                client=CLIENT,
                business_date=business_date_get(),
                now=timezone.now(),
                terms_accepted=True,
            ).application
        except Exception as exc:  # the test inspects what each thread got
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(i, a)) for i, a in enumerate(amounts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", range(3))
def test_two_draws_that_together_exceed_the_line_one_succeeds(rounds):
    product = MicroProductFactory.create(max_open_draws=20)
    # Staff raised the amount that asks for a face check: these draws go straight through.
    RiskRule.objects.filter(code="amount_above_threshold").update(amount=D("100000"))
    user = borrower(business_date=business_date_get())
    line = CreditLine.objects.get(borrower=user)
    amount = (line.limit / 2 + 100).quantize(D("100"))
    outcomes = _race(user, product, [amount, amount])

    loans = Loan.objects.filter(borrower=user, status=Loan.Status.ACTIVE)
    assert loans.count() == 1, outcomes
    assert loans.get().principal == amount
    errors = [o for o in outcomes if isinstance(o, DomainError)]
    refused = LoanApplication.objects.filter(borrower=user, status="refused")
    # The loser either could not open a second application while the first was open, or
    # was refused when the line had no room left.
    assert len(errors) + refused.count() == 1
    for error in errors:
        assert error.code in {"application_in_progress", "amount_above_available"}
    line.refresh_from_db()
    assert credit_line_available(line=line) == line.limit - amount
    assert trial_balance().is_balanced


@pytest.mark.django_db(transaction=True)
def test_the_same_request_twice_at_once_gives_both_callers_the_one_application():
    product = MicroProductFactory.create()
    user = borrower(business_date=business_date_get())
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def send(index):
        try:
            barrier.wait()
            results[index] = loan_application_submit(
                borrower=user,
                product=product,
                amount=D("1000"),
                term=5,
                method="equal_principal",
                idempotency_key="double-click",
                client=CLIENT,
                business_date=business_date_get(),
                now=timezone.now(),
                terms_accepted=True,
            )
        except Exception as exc:  # the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ids = {result.application.pk for result in results}
    assert len(ids) == 1, results
    assert sorted(result.created for result in results) == [False, True]
    assert Loan.objects.filter(borrower=user).count() == 1
