"""Reconciliation: the ledger agrees with the loans, to the fen (a selector).

For each loan account, the ledger's balance is compared with the same amount derived from
stored loan state: outstanding principal per loan (principal lines always carry their loan,
so each loan's sub-ledger is checked on its own), and interest, penalty and compound
receivable as what is owed up to the date the ledger recognises (loans.owed_sql) less what
was paid, in total (the nightly accruals are posted as totals per chunk of loans,
docs/adr/0001-ledger-granularity.md). Payouts in transit are the pending payouts.

Set-based: a few aggregate queries, whatever the size of the book."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum

from common.money import ZERO
from ledger.accounts import AccountCode
from ledger.models import JournalLine
from ledger.selectors import trial_balance
from loans import owed_sql
from loans.models import Installment, Loan, Payout
from loans.schedule.accrual import InstallmentAccrual, owed_on
from loans.selectors import accrual_terms_of

MAX_LOANS_LISTED = 50


@dataclass(frozen=True)
class ReconciliationLine:
    account: AccountCode
    ledger: Decimal
    derived: Decimal

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.derived


@dataclass(frozen=True)
class LoanMismatch:
    loan_id: int
    ledger: Decimal
    derived: Decimal


@dataclass(frozen=True)
class Reconciliation:
    business_date: dt.date
    lines: tuple[ReconciliationLine, ...]
    loans_out_of_balance: tuple[LoanMismatch, ...]
    trial_balance_difference: Decimal

    @property
    def is_clean(self) -> bool:
        return (
            self.trial_balance_difference == 0
            and not self.loans_out_of_balance
            and all(line.difference == 0 for line in self.lines)
        )

    def line(self, account: AccountCode) -> ReconciliationLine:
        return next(line for line in self.lines if line.account == account)


_BALANCES_SQL = """
SELECT a.code, COALESCE(SUM(j.amount), 0)
  FROM ledger_account a LEFT JOIN ledger_journalline j ON j.account_id = a.id
 WHERE a.code = ANY(%(codes)s)
 GROUP BY a.code
"""

# Built from the constant fragments of loans.owed_sql; no input reaches it.
_RECEIVABLES_SQL = f"""
SELECT COALESCE(SUM({owed_sql.interest_owed(owed_sql.RECOGNISED_DATE)} - i.interest_paid), 0),
       COALESCE(SUM({owed_sql.penalty_owed(owed_sql.RECOGNISED_DATE)} - i.penalty_paid), 0),
       COALESCE(SUM({owed_sql.compound_owed(owed_sql.RECOGNISED_DATE)} - i.compound_paid), 0)
  FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
 WHERE i.status IN ('pending', 'due', 'overdue') AND {owed_sql.LIVE_INSTALLMENTS}
"""  # noqa: S608

_PRINCIPAL_SQL = """
WITH sub AS (
    SELECT j.loan_id, SUM(j.amount) AS ledger
      FROM ledger_journalline j JOIN ledger_account a ON a.id = j.account_id
     WHERE a.code = %(principal)s AND j.loan_id IS NOT NULL
     GROUP BY j.loan_id
)
SELECT l.id, COALESCE(sub.ledger, 0), l.principal_outstanding
  FROM loans_loan l FULL OUTER JOIN sub ON sub.loan_id = l.id
 WHERE COALESCE(sub.ledger, 0) <> COALESCE(l.principal_outstanding, 0)
 ORDER BY l.id
 LIMIT %(limit)s
"""

_DERIVED_PRINCIPAL_SQL = """
SELECT COALESCE(SUM(principal_outstanding), 0) FROM loans_loan WHERE status = 'active'
"""

_PENDING_PAYOUTS_SQL = """
SELECT COALESCE(SUM(amount), 0) FROM loans_payout WHERE status = 'pending'
"""

_ACCOUNTS = (
    AccountCode.LOAN_PRINCIPAL,
    AccountCode.INTEREST_RECEIVABLE,
    AccountCode.PENALTY_RECEIVABLE,
    AccountCode.COMPOUND_INTEREST_RECEIVABLE,
    AccountCode.PAYOUTS_IN_TRANSIT,
)


def _receivables_in_python(business_date: dt.date) -> tuple[Decimal, Decimal, Decimal]:
    """The embedded SQLite default has no exact decimal arithmetic in SQL: the same sums
    with the pure functions the SQL is property-tested against, row by row (a demo-sized
    book)."""
    interest = penalty = compound = ZERO
    rows = (
        Installment.objects.filter(
            status__in=["pending", "due", "overdue"], loan__status__in=["active", "settled"]
        )
        .select_related("loan")
        .order_by("pk")
    )
    for row in rows.iterator():
        on = row.loan.close_pending_from or business_date
        owed = owed_on(accrual_terms_of(row.loan), InstallmentAccrual.from_row(row), on)
        interest += owed.interest - row.interest_paid
        penalty += owed.penalty - row.penalty_paid
        compound += owed.compound - row.compound_paid
    return interest, penalty, compound


def ledger_reconcile(*, business_date: dt.date) -> Reconciliation:
    """Compare the ledger with the loans as of the open business date `business_date`."""
    if connection.vendor != "postgresql":
        return _reconcile_orm(business_date)
    params: dict[str, Any] = {
        "codes": [str(code) for code in _ACCOUNTS],
        "business_date": business_date,
        "principal": str(AccountCode.LOAN_PRINCIPAL),
        "limit": MAX_LOANS_LISTED,
    }
    # One snapshot for every query: payments committing in between must not make the
    # ledger and the loans disagree. Outside a transaction it opens its own, repeatable
    # read and read only; inside one (a caller's, a test's) it reads in that one.
    fresh = connection.get_autocommit()
    with transaction.atomic(), connection.cursor() as cursor:
        if fresh:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute(_BALANCES_SQL, params)
        ledger = {code: Decimal(amount) for code, amount in cursor.fetchall()}
        cursor.execute(_RECEIVABLES_SQL, params)
        interest, penalty, compound = cursor.fetchone()
        cursor.execute(_DERIVED_PRINCIPAL_SQL)
        (principal,) = cursor.fetchone()
        cursor.execute(_PENDING_PAYOUTS_SQL)
        (in_transit,) = cursor.fetchone()
        cursor.execute(_PRINCIPAL_SQL, params)
        mismatches = tuple(
            LoanMismatch(loan_id=row[0], ledger=Decimal(row[1]), derived=Decimal(row[2] or 0))
            for row in cursor.fetchall()
        )
    derived = {
        AccountCode.LOAN_PRINCIPAL: Decimal(principal),
        AccountCode.INTEREST_RECEIVABLE: Decimal(interest),
        AccountCode.PENALTY_RECEIVABLE: Decimal(penalty),
        AccountCode.COMPOUND_INTEREST_RECEIVABLE: Decimal(compound),
        # A liability: the ledger holds it as a credit (negative) balance.
        AccountCode.PAYOUTS_IN_TRANSIT: -Decimal(in_transit),
    }
    lines = tuple(
        ReconciliationLine(
            account=code,
            ledger=ledger.get(str(code), ZERO).quantize(ZERO),
            derived=derived[code].quantize(ZERO),
        )
        for code in _ACCOUNTS
    )
    return Reconciliation(
        business_date=business_date,
        lines=lines,
        loans_out_of_balance=mismatches,
        trial_balance_difference=trial_balance().difference,
    )


def _reconcile_orm(business_date: dt.date) -> Reconciliation:
    def balance(code: AccountCode) -> Decimal:
        total = JournalLine.objects.filter(account__code=code).aggregate(t=Sum("amount"))["t"]
        return Decimal(total or 0)

    interest, penalty, compound = _receivables_in_python(business_date)
    derived = {
        AccountCode.LOAN_PRINCIPAL: Decimal(
            Loan.objects.filter(status="active").aggregate(t=Sum("principal_outstanding"))["t"] or 0
        ),
        AccountCode.INTEREST_RECEIVABLE: interest,
        AccountCode.PENALTY_RECEIVABLE: penalty,
        AccountCode.COMPOUND_INTEREST_RECEIVABLE: compound,
        AccountCode.PAYOUTS_IN_TRANSIT: -Decimal(
            Payout.objects.filter(status="pending").aggregate(t=Sum("amount"))["t"] or 0
        ),
    }
    ledger_principal = dict(
        JournalLine.objects.filter(account__code=AccountCode.LOAN_PRINCIPAL, loan__isnull=False)
        .values_list("loan_id")
        .annotate(t=Sum("amount"))
        .values_list("loan_id", "t")
    )
    mismatches = []
    for loan_id, outstanding in Loan.objects.order_by("pk").values_list(
        "pk", "principal_outstanding"
    ):
        ledger_amount = Decimal(ledger_principal.get(loan_id) or 0)
        if ledger_amount != outstanding:
            mismatches.append(LoanMismatch(loan_id, ledger_amount, outstanding))
    return Reconciliation(
        business_date=business_date,
        lines=tuple(
            ReconciliationLine(code, balance(code).quantize(ZERO), derived[code].quantize(ZERO))
            for code in _ACCOUNTS
        ),
        loans_out_of_balance=tuple(mismatches[:MAX_LOANS_LISTED]),
        trial_balance_difference=trial_balance().difference,
    )
