"""The close of business at its boundaries (DOMAIN.md §1, §5-§7): grace days either side of
the DOMAIN example, month ends and a leap day (micro and bank loans: daily accruals add up
to each period's scheduled interest), a loan disbursed on the day being closed, a loan paid
off that day, and a partial payment of an overdue installment that cuts the penalty span.
After every close the ledger reconciles with the loans to the fen."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from closing.services import business_days_close_until
from common.models import BusinessCalendar
from common.selectors import business_date_get
from ledger.models import JournalLine
from loans.models import Installment, Loan
from loans.reconciliation import ledger_reconcile
from repayments.services import payoff_submit, repayment_submit
from tests.loans.factories import MicroProductFactory, borrower
from tests.repayments.factories import bank_borrower, bank_product, disbursed_loan

D = Decimal
DRAWN = dt.date(2024, 3, 10)
ONE = dt.timedelta(days=1)

pytestmark = pytest.mark.slow


def open_on(day):
    BusinessCalendar.objects.filter(pk=1).update(current_date=day, state="open")


def close_through(day):
    runs = business_days_close_until(until=day, now=timezone.now())
    assert ledger_reconcile(business_date=business_date_get()).is_clean
    return runs


def accrued(kind):
    """What the ledger recognised of one kind of accrual (the nightly postings are totals
    per chunk of loans, so per loan only where the test has one loan)."""
    lines = JournalLine.objects.filter(transaction__kind=kind, amount__gt=0)
    return sum((line.amount for line in lines), D(0))


def pay(loan, amount, key):
    return repayment_submit(
        borrower=loan.borrower,
        loan_public_id=loan.public_id,
        amount=D(amount),
        idempotency_key=key,
        business_date=business_date_get(),
        now=timezone.now(),
    )


def micro_draw(on=DRAWN, amount="10000", key="draw"):
    open_on(on)
    product = MicroProductFactory.create()
    user = borrower(business_date=on)
    return disbursed_loan(
        user, product, amount=amount, term=10, method="equal_principal", on=on, key=key
    )


@pytest.mark.parametrize(
    ("grace", "penalty", "compound"),
    [(2, "3.75", "0.51"), (4, "3.75", "0.51"), (5, "0.00", "0.00"), (6, "0.00", "0.00")],
)
def test_grace_days_either_side_of_the_domain_example(db, grace, penalty, compound):
    """Installment 2 (1,000.00 + 135.00, due 2024-05-10) paid on 2024-05-15, five days
    late: a grace shorter than five days charges all five days, five or more nothing."""
    loan = micro_draw()
    Loan.objects.filter(pk=loan.pk).update(grace_days=grace)
    close_through(dt.date(2024, 4, 9))
    pay(loan, "1155.00", "first")
    close_through(dt.date(2024, 5, 14))
    assert business_date_get() == dt.date(2024, 5, 15)
    second = loan.installments.get(number=2)
    assert second.status == (Installment.Status.OVERDUE if grace < 5 else Installment.Status.DUE)
    assert accrued("penalty_accrual") == D(penalty)
    assert accrued("compound_accrual") == D(compound)
    owed = D("1135.00") + D(penalty) + D(compound)
    receipt = pay(loan, str(owed), "second")
    assert sum(a.amount for a in receipt.allocations.all()) == owed
    second.refresh_from_db()
    assert second.status == Installment.Status.PAID
    close_through(dt.date(2024, 5, 20))
    assert accrued("penalty_accrual") == D(penalty)


def test_micro_loan_over_month_ends_and_a_leap_day(db):
    """Drawn on 31 January 2024: its periods cross 29 February and month ends; each
    period's daily accruals add up exactly to its scheduled interest."""
    loan = micro_draw(on=dt.date(2024, 1, 31), amount="7300")
    rows = list(loan.installments.order_by("number")[:3])
    assert any(row.period_start_date <= dt.date(2024, 2, 29) < row.due_date for row in rows)
    for number, row in enumerate(rows, start=1):
        close_through(row.due_date - ONE)
        assert accrued("interest_accrual") == sum(r.interest for r in rows[:number])
        pay(loan, str(row.principal + row.interest), f"row-{number}")


def test_bank_loan_day_by_day_accrual_over_february_of_a_leap_year(db):
    """A bank loan accrues its month's interest day by day (round(I × k / days)); over
    January-March 2024 the days add up to each month's scheduled interest exactly."""
    contract = dt.date(2024, 1, 20)
    open_on(contract)
    user = bank_borrower(contract)
    loan = disbursed_loan(
        user, bank_product(), amount="123000", term=24, method="equal_installment", on=contract
    )
    rows = list(loan.installments.order_by("number")[:3])
    for number, row in enumerate(rows, start=1):
        close_through(row.due_date - ONE)
        assert accrued("interest_accrual") == sum(r.interest for r in rows[:number])
        pay(loan, str(row.principal + row.interest), f"row-{number}")


def test_a_loan_disbursed_on_the_day_closed_accrues_that_day(db):
    micro_draw()
    close_through(dt.date(2024, 3, 19))
    day = business_date_get()
    assert accrued("interest_accrual") == D("5.00") * 10
    micro_draw(on=day, amount="2000", key="second")
    close_through(day)
    # The day closed: 5.00 on the first draw and, on the new one, 2,000.00 × 0.05% = 1.00.
    assert accrued("interest_accrual") == D("5.00") * 11 + D("1.00")


def test_a_loan_paid_off_on_the_day_closed_accrues_nothing_more(db):
    loan = micro_draw()
    close_through(dt.date(2024, 3, 29))
    assert business_date_get() == dt.date(2024, 3, 30)
    before = accrued("interest_accrual")
    payoff_submit(
        borrower=loan.borrower,
        loan_public_id=loan.public_id,
        amount=D("10100.00"),
        idempotency_key="payoff",
        business_date=business_date_get(),
        now=timezone.now(),
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED
    close_through(dt.date(2024, 4, 15))
    assert accrued("interest_accrual") == before == D("100.00")
    assert accrued("penalty_accrual") == D("0.00")


def test_a_partial_payment_of_an_overdue_installment_cuts_the_penalty_span(db):
    """Installment 2 overdue from 2024-05-10. On 2024-05-13 the borrower pays the penalty
    (1,000 × 0.075% × 3 = 2.25), the compound (135 × 0.075% × 3 = 0.30), the interest and
    500.00 of principal; from then the penalty runs on 500.00: paid on 2024-05-18 with
    500 × 0.075% × 5 = 1.88 more."""
    loan = micro_draw()
    close_through(dt.date(2024, 4, 9))
    pay(loan, "1155.00", "first")
    close_through(dt.date(2024, 5, 12))
    assert business_date_get() == dt.date(2024, 5, 13)
    part = pay(loan, "637.55", "part")
    assert {(a.component, a.amount) for a in part.allocations.all()} == {
        ("penalty", D("2.25")),
        ("compound", D("0.30")),
        ("interest", D("135.00")),
        ("principal", D("500.00")),
    }
    close_through(dt.date(2024, 5, 17))
    assert accrued("penalty_accrual") == D("2.25") + D("1.88")
    assert accrued("compound_accrual") == D("0.30")
    rest = pay(loan, "501.88", "rest")
    assert {(a.component, a.amount) for a in rest.allocations.all()} == {
        ("penalty", D("1.88")),
        ("principal", D("500.00")),
    }
    assert loan.installments.get(number=2).status == Installment.Status.PAID
