"""Collection on the due date (DOMAIN.md §5): the close of business queues, set-based, one
collection per loan with an installment falling due that day, for what the loan owes then
(less any held overpayment, applied first); chunked tasks after the close charge the bound
cards through the gateway (`repayment_collect`, the outbox pattern of payouts)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from loans import owed_sql
from repayments.models import Repayment

if TYPE_CHECKING:
    from loans.models import Installment, Loan

_ON = "%(on)s::date"
# The loans a queueing looks at when the close of business does not say (its own filter
# also leaves out failed and flagged loans).
DEFAULT_LOANS = "l.id BETWEEN %(first)s AND %(last)s AND l.status = 'active'"


def collections_queue_sql(loans_filter: str) -> str:
    """One collection per loan with an installment falling due on `on`, for what the loan
    owes then (its due and overdue rows) less what is held for it; the key makes a second
    queueing a no-op. An approved prepayment dated that day collects its installment itself
    (it is paid by then and owes nothing here)."""
    interest = owed_sql.interest_owed(_ON)
    penalty = owed_sql.penalty_owed(_ON)
    compound = owed_sql.compound_owed(_ON)
    return f"""
WITH due AS (
    SELECT i.loan_id, l.borrower_id, l.public_id,
           SUM({interest} - i.interest_paid + i.principal - i.principal_paid
               + {penalty} - i.penalty_paid + {compound} - i.compound_paid) AS gross,
           bool_or(i.due_date = {_ON}) AS falls_due_today
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.loan_id BETWEEN %(first)s AND %(last)s
       AND i.status IN ('due', 'overdue') AND i.due_date <= {_ON} AND {loans_filter}
     GROUP BY i.loan_id, l.borrower_id, l.public_id
), made AS (
    INSERT INTO repayments_repayment
        (public_id, loan_id, borrower_id, kind, status, amount, idempotency_key,
         business_date, card_masked, gateway, gateway_reference, failure_reason, attempts,
         overpaid, requested_at)
    SELECT gen_random_uuid(), due.loan_id, due.borrower_id, 'collection', 'pending',
           owed.amount, 'collection:' || due.public_id || ':' || {_ON}::text, {_ON},
           COALESCE(p.bank_card_masked, ''), '', '', '', 0, 0, %(now)s
      FROM due
      LEFT JOIN repayments_overpaymentbalance held ON held.loan_id = due.loan_id
      LEFT JOIN accounts_borrowerprofile p ON p.user_id = due.borrower_id
     CROSS JOIN LATERAL (SELECT due.gross - COALESCE(held.amount, 0) AS amount) owed
     WHERE due.falls_due_today AND owed.amount > 0
    ON CONFLICT (borrower_id, kind, idempotency_key) DO NOTHING
    RETURNING id
)
SELECT COUNT(*) FROM made
"""  # noqa: S608 - constant fragments; values are parameters


def collections_queue(
    *, business_date: dt.date, now: dt.datetime, first_loan_id: int, last_loan_id: int
) -> int:
    """Queue the collections of the loans in [first, last] with an installment due on
    `business_date`, in one statement. Returns how many were queued now (a rerun: 0)."""
    params: dict[str, Any] = {
        "on": business_date,
        "now": now,
        "first": first_loan_id,
        "last": last_loan_id,
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(collections_queue_sql(DEFAULT_LOANS), params)
                (queued,) = cursor.fetchone()
                return int(queued)
        return _queue_in_python(business_date, now, first_loan_id, last_loan_id)


def _queue_in_python(on: dt.date, now: dt.datetime, first: int, last: int) -> int:
    """The embedded SQLite default: the same rule with the pure functions."""
    from loans.models import Loan
    from repayments.models import PrepaymentApplication
    from repayments.services import core

    queued = 0
    loans = Loan.objects.filter(
        status=Loan.Status.ACTIVE,
        pk__gte=first,
        pk__lte=last,
        close_pending_from__isnull=True,
        installments__due_date=on,
        installments__status__in=core.LIVE,
    ).distinct()
    for loan in loans.order_by("pk"):
        if PrepaymentApplication.objects.filter(
            loan=loan, status="approved", requested_date=on
        ).exists():
            continue
        rows = [row for row in core.live_installments(loan) if row.due_date <= on]
        queued += collection_queue_one(loan=loan, rows=rows, on=on, now=now)
    return queued


def collection_queue_one(
    *, loan: Loan, rows: list[Installment], on: dt.date, now: dt.datetime
) -> bool:
    """The embedded default, loan by loan: queue the collection of what `loan` owes on
    `on` over its `rows` due by then, less what is held for it (once per loan and day).
    True when it was queued now."""
    from accounts.models import BorrowerProfile
    from repayments.services import core

    held = getattr(loan, "overpayment_balance", None)
    amount = core.amount_due(loan, rows, on).total - (held.amount if held else 0)
    if amount <= 0:
        return False
    profile = BorrowerProfile.objects.filter(user_id=loan.borrower_id).first()
    _, created = Repayment.objects.get_or_create(
        borrower_id=loan.borrower_id,
        kind=Repayment.Kind.COLLECTION,
        idempotency_key=f"collection:{loan.public_id}:{on}",
        defaults={
            "loan": loan,
            "amount": amount,
            "business_date": on,
            "card_masked": profile.bank_card_masked if profile else "",
            "requested_at": now,
        },
    )
    return created
