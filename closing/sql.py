"""The close of business over a chunk of loans, in SQL (PostgreSQL): one statement per rule
of DOMAIN.md, each over the loans of an id range, each idempotent.

Parameters of every statement: `day` (the business date D being closed), `next` (D + 1,
the date the ledger recognises once D is closed), `first`/`last` (the chunk's loan ids),
`excluded` (loans of the chunk that failed and are left out), `catch_up` (flagged loans
being closed again on one of their missing days), `now`.

What is owed is a pure function of stored state and the date (loans/owed_sql.py), so the
close writes only what changes: the night's accrual totals (three journal transactions per
chunk), the rows that fall due or overdue, the records and notices of that, the rows whose
period starts, and the collections to send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from loans import owed_sql
from repayments.services.collections import collections_queue_sql

# The loans of the chunk that the close processes: open and not flagged, or (a flagged
# loan's catch-up) the loans named; never one that failed earlier in this chunk. The
# chunk's form is the predicate of the partial index `loan_in_service`, so the loans of a
# range are read from that index alone.
IN_SERVICE = "l.status = 'active' AND l.close_pending_from IS NULL"
CHUNK_LOANS = f"""
    l.id BETWEEN %(first)s AND %(last)s AND {IN_SERVICE}
    AND NOT (l.id = ANY(%(excluded)s::bigint[]))
"""
CATCH_UP_LOANS = """
    l.id BETWEEN %(first)s AND %(last)s AND l.status = 'active'
    AND l.id = ANY(%(catch_up)s::bigint[]) AND NOT (l.id = ANY(%(excluded)s::bigint[]))
"""

_NEXT = "%(next)s::date"
_DAY = "%(day)s::date"

# Rows in their period that fall due after the day: tonight they accrue interest only
# (penalty and compound start past the due date and its grace, so both owed amounts are
# unchanged). Read from the covering partial index `installment_accruing` alone.
CURRENT_ROWS = f"i.accruing AND i.due_date >= {_NEXT}"
# Every other row that can accrue tonight: due or overdue (penalty, compound, the rest of
# a period's interest), and a row in its period already at its due date (a catch-up); each
# read through its partial index.
# What the accrual of a row reads (loans/owed_sql.py), all of it covered by the index of
# the rows due or overdue.
_ACCRUAL_COLUMNS = """
    i.loan_id, i.status, i.due_date, i.period_start_date, i.principal, i.principal_paid,
    i.interest, i.interest_paid, i.interest_span_start_date, i.interest_span_base,
    i.interest_accrued_before_span, i.penalty_span_start_date, i.penalty_accrued_before_span,
    i.compound_span_start_date, i.compound_accrued_before_span
"""
OTHER_ROWS = f"""
    (SELECT {_ACCRUAL_COLUMNS} FROM loans_installment i
      WHERE i.loan_id BETWEEN %(first)s AND %(last)s AND i.status IN ('due', 'overdue')
        AND NOT i.accruing
     UNION ALL
     SELECT {_ACCRUAL_COLUMNS} FROM loans_installment i
      WHERE i.loan_id BETWEEN %(first)s AND %(last)s AND i.accruing AND i.due_date < {_NEXT})
"""  # noqa: S608 - constant fragments; values are parameters


def _delta(owed: Callable[[str], str]) -> str:
    """Tonight's accrual of a component: owed once D is closed less owed before."""
    return f"{owed(_NEXT)} - {owed(_DAY)}"


def _accrue(loans: str) -> str:
    """DOMAIN.md §1: daily accruals post the difference between consecutive rounded
    cumulative amounts, per installment and component; the chunk posts their totals."""
    return f"""
WITH cur AS (
    SELECT COALESCE(SUM({owed_sql.interest_accrued_in_period(_DAY, _NEXT)}), 0) AS interest,
           COUNT(*) AS n
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.loan_id BETWEEN %(first)s AND %(last)s AND {CURRENT_ROWS} AND {loans}
), other AS (
    SELECT COALESCE(SUM({_delta(owed_sql.interest_owed)}), 0) AS interest,
           COALESCE(SUM({_delta(owed_sql.penalty_owed)}), 0) AS penalty,
           COALESCE(SUM({_delta(owed_sql.compound_owed)}), 0) AS compound,
           COUNT(*) AS n
      FROM {OTHER_ROWS} i JOIN loans_loan l ON l.id = i.loan_id
     WHERE {loans}
)
SELECT cur.interest + other.interest, other.penalty, other.compound, cur.n + other.n
  FROM cur CROSS JOIN other
"""  # noqa: S608 - constant fragments; values are parameters


def _roll_periods(loans: str) -> str:
    """DOMAIN.md §3, §5: an installment falls due on its due date; the next row's period
    starts then and it accrues from that day.

    The rows to change are chosen first (`MATERIALIZED`): a table joined into an UPDATE is
    read from its heap to recheck concurrent changes, a chosen list is not, so the loans
    come from the `loan_in_service` index alone; the UPDATE rechecks its own rows."""
    return f"""
WITH ending AS MATERIALIZED (
    SELECT i.id
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.loan_id BETWEEN %(first)s AND %(last)s AND i.accruing
       AND i.due_date <= {_NEXT} AND {loans}
), ended AS (
    UPDATE loans_installment i
       SET accruing = false,
           status = CASE WHEN i.status = 'pending' THEN 'due' ELSE i.status END
      FROM ending
     WHERE i.id = ending.id AND i.accruing
    RETURNING i.loan_id, i.number, i.due_date
), started AS (
    UPDATE loans_installment n
       SET accruing = true
      FROM ended e
     WHERE n.loan_id = e.loan_id AND n.number = e.number + 1
       AND n.status = 'pending' AND n.period_start_date = e.due_date AND n.due_date > {_NEXT}
    RETURNING n.id
)
SELECT (SELECT COUNT(*) FROM ended), (SELECT COUNT(*) FROM started)
"""  # noqa: S608


def _mark_overdue(loans: str) -> str:
    """DOMAIN.md §6: past its grace an unpaid installment is overdue; each produces an
    overdue record and a credit-report record (reported only after the notice period), and
    the borrower is told."""
    return f"""
WITH moving AS MATERIALIZED (
    SELECT i.id, l.borrower_id, l.public_id AS loan_public_id
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.loan_id BETWEEN %(first)s AND %(last)s
       AND i.status = 'due' AND {_NEXT} - i.due_date > l.grace_days AND {loans}
), moved AS (
    UPDATE loans_installment i
       SET status = 'overdue'
      FROM moving
     WHERE i.id = moving.id AND i.status = 'due'
    RETURNING i.id, i.loan_id, moving.borrower_id, moving.loan_public_id, i.number,
              i.due_date, i.principal - i.principal_paid AS principal_overdue,
              i.interest - i.interest_paid AS interest_overdue
), records AS (
    INSERT INTO repayments_overduerecord
        (loan_id, installment_id, borrower_id, due_date, overdue_from, principal_overdue,
         interest_overdue, created_at)
    SELECT loan_id, id, borrower_id, due_date, {_NEXT}, principal_overdue, interest_overdue,
           %(now)s
      FROM moved
    ON CONFLICT (installment_id) DO NOTHING
    RETURNING id, installment_id, borrower_id
), reports AS (
    INSERT INTO repayments_creditreportrecord
        (overdue_record_id, borrower_id, state, notified_on, report_after)
    SELECT id, borrower_id, 'pending_notice', {_NEXT}, {_NEXT} + %(notice_days)s::integer
      FROM records
    RETURNING id
), notices AS (
    INSERT INTO notifications_notification
        (public_id, user_id, kind, context, link, dedupe_key, created_at)
    SELECT gen_random_uuid(), m.borrower_id, 'repayment_overdue',
           jsonb_build_object(
               'date', m.due_date::text, 'number', m.number::text,
               'amount', (m.principal_overdue + m.interest_overdue)::text,
               'card', COALESCE(p.bank_card_masked, ''),
               'report_after', ({_NEXT} + %(notice_days)s::integer)::text),
           '/loans/' || m.loan_public_id || '/',
           'overdue:' || m.id, %(now)s
      FROM moved m JOIN records r ON r.installment_id = m.id
      LEFT JOIN accounts_borrowerprofile p ON p.user_id = m.borrower_id
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT COUNT(*) FROM moved), (SELECT COUNT(*) FROM records),
       (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM notices)
"""  # noqa: S608


def _remind(loans: str) -> str:
    """DOMAIN.md §6: reminders before the due date (3 and 1 days, configurable: the dates
    `remind_dates`), on it, and every week an installment stays overdue, for the night
    closed (`next` is the open day). Run after the close, per chunk of its loans
    (closing.followups). Rows in their period come from the accruing index by due date,
    the others from the due-or-overdue index. Returns the count and the id range made."""
    return f"""
WITH rows AS (
    SELECT i.id, i.loan_id, i.number, i.status, i.due_date,
           i.principal + i.interest - i.principal_paid - i.interest_paid AS amount
      FROM loans_installment i
     WHERE i.loan_id BETWEEN %(first)s AND %(last)s AND i.accruing
       AND i.due_date = ANY(%(remind_dates)s::date[])
    UNION ALL
    SELECT i.id, i.loan_id, i.number, i.status, i.due_date,
           i.principal + i.interest - i.principal_paid - i.interest_paid
      FROM loans_installment i
     WHERE i.loan_id BETWEEN %(first)s AND %(last)s AND NOT i.accruing
       AND ((i.status = 'due' AND i.due_date = {_NEXT})
            OR (i.status = 'overdue' AND i.due_date < {_NEXT}))
), made AS (
    INSERT INTO notifications_notification
        (public_id, user_id, kind, context, link, dedupe_key, created_at)
    SELECT gen_random_uuid(), l.borrower_id,
           CASE WHEN i.status = 'overdue' THEN 'repayment_overdue'
                WHEN i.due_date = {_NEXT} THEN 'repayment_due_today'
                ELSE 'repayment_due_soon' END,
           jsonb_build_object(
               'date', i.due_date::text, 'number', i.number::text,
               'amount', i.amount::text,
               'card', COALESCE(p.bank_card_masked, ''),
               'days', (i.due_date - {_NEXT})::text),
           '/loans/' || l.public_id || '/',
           'reminder:' || i.id || ':' || {_NEXT}::text, %(now)s
      FROM rows i JOIN loans_loan l ON l.id = i.loan_id
      LEFT JOIN accounts_borrowerprofile p ON p.user_id = l.borrower_id
     WHERE {loans}
       AND (i.status <> 'overdue'
            OR ({_NEXT} - i.due_date > l.grace_days + 1
                AND ({_NEXT} - i.due_date - l.grace_days - 1) %% 7 = 0))
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT COUNT(*), MIN(id), MAX(id) FROM made
"""  # noqa: S608


def _loans_in_range(loans: str) -> str:
    return f"SELECT COUNT(*) FROM loans_loan l WHERE {loans}"  # noqa: S608


@dataclass(frozen=True)
class Statements:
    """The night's statements over a set of loans, in the order they run (the reminders
    after the close, closing.followups)."""

    accrue: str
    roll_periods: str
    mark_overdue: str
    remind: str
    queue_collections: str
    loans_in_range: str


def _statements(loans: str) -> Statements:
    return Statements(
        accrue=_accrue(loans),
        roll_periods=_roll_periods(loans),
        mark_overdue=_mark_overdue(loans),
        remind=_remind(loans),
        # DOMAIN.md §5: installments are collected on their due date from the bound card;
        # the close writes the outbox rows (repayments.services.collections), tasks after
        # it call the gateway.
        queue_collections=collections_queue_sql(loans),
        loans_in_range=_loans_in_range(loans),
    )


# A chunk of loans (an id range), and a flagged loan closing one of its missing days.
CHUNK = _statements(CHUNK_LOANS)
CATCH_UP = _statements(CATCH_UP_LOANS)

FLAG_LOAN = """
UPDATE loans_loan SET close_pending_from = %(day)s
 WHERE id = %(loan_id)s AND close_pending_from IS NULL
"""

ID_RANGE = "SELECT MIN(id), MAX(id) FROM loans_loan WHERE status = 'active'"
