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

from loans import owed_sql
from repayments.services.collections import collections_queue_sql

# The loans of the chunk that the close processes: open, not flagged (unless being caught
# up), not failed earlier in this chunk.
LOANS = """
    l.id BETWEEN %(first)s AND %(last)s
    AND l.status = 'active'
    AND (l.close_pending_from IS NULL OR l.id = ANY(%(catch_up)s::bigint[]))
    AND NOT (l.id = ANY(%(excluded)s::bigint[]))
"""

# Rows that can accrue anything tonight: the one in its period (interest), and those due
# or overdue (penalty, compound). Both are partial indexes by loan.
ACCRUING_ROWS = "(i.accruing OR i.status IN ('due', 'overdue'))"

_NEXT = "%(next)s::date"
_DAY = "%(day)s::date"

# DOMAIN.md §1: daily accruals post the difference between consecutive rounded cumulative
# amounts, per installment and component; the chunk posts their totals.
# The same rows, read through the two partial indexes (one row per loan in its period, the
# few due or overdue), never the whole schedules of the range.
ACCRUING_ROWS_OF_RANGE = """
    (SELECT * FROM loans_installment
      WHERE loan_id BETWEEN %(first)s AND %(last)s AND accruing
     UNION ALL
     SELECT * FROM loans_installment
      WHERE loan_id BETWEEN %(first)s AND %(last)s AND status IN ('due', 'overdue')
        AND NOT accruing)
"""

ACCRUE_INTEREST_PENALTY_COMPOUND = f"""
SELECT COALESCE(SUM({owed_sql.interest_owed(_NEXT)} - {owed_sql.interest_owed(_DAY)}), 0),
       COALESCE(SUM({owed_sql.penalty_owed(_NEXT)} - {owed_sql.penalty_owed(_DAY)}), 0),
       COALESCE(SUM({owed_sql.compound_owed(_NEXT)} - {owed_sql.compound_owed(_DAY)}), 0),
       COUNT(*)
  FROM {ACCRUING_ROWS_OF_RANGE} i JOIN loans_loan l ON l.id = i.loan_id
 WHERE {LOANS}
"""  # noqa: S608 - constant fragments; values are parameters

# DOMAIN.md §3, §5: an installment falls due on its due date; the next row's period starts
# then and it accrues from that day.
ROLL_PERIODS = f"""
WITH ended AS (
    UPDATE loans_installment i
       SET accruing = false,
           status = CASE WHEN i.status = 'pending' THEN 'due' ELSE i.status END
      FROM loans_loan l
     WHERE l.id = i.loan_id AND i.loan_id BETWEEN %(first)s AND %(last)s
       AND i.accruing AND i.due_date <= {_NEXT} AND {LOANS}
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

# DOMAIN.md §6: past its grace an unpaid installment is overdue; each produces an overdue
# record and a credit-report record (reported only after the notice period), and the
# borrower is told.
MARK_OVERDUE = f"""
WITH moved AS (
    UPDATE loans_installment i
       SET status = 'overdue'
      FROM loans_loan l
     WHERE l.id = i.loan_id AND i.loan_id BETWEEN %(first)s AND %(last)s
       AND i.status = 'due' AND {_NEXT} - i.due_date > l.grace_days AND {LOANS}
    RETURNING i.id, i.loan_id, l.borrower_id, l.public_id AS loan_public_id, i.number,
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

# DOMAIN.md §6: reminders before the due date (3 and 1 days, configurable), on it, and
# every week an installment stays overdue.
REMIND = f"""
WITH made AS (
    INSERT INTO notifications_notification
        (public_id, user_id, kind, context, link, dedupe_key, created_at)
    SELECT gen_random_uuid(), l.borrower_id,
           CASE WHEN i.status = 'overdue' THEN 'repayment_overdue'
                WHEN i.due_date = {_NEXT} THEN 'repayment_due_today'
                ELSE 'repayment_due_soon' END,
           jsonb_build_object(
               'date', i.due_date::text, 'number', i.number::text,
               'amount', (i.principal + i.interest - i.principal_paid - i.interest_paid)::text,
               'card', COALESCE(p.bank_card_masked, ''),
               'days', (i.due_date - {_NEXT})::text),
           '/loans/' || l.public_id || '/',
           'reminder:' || i.id || ':' || {_NEXT}::text, %(now)s
      FROM {ACCRUING_ROWS_OF_RANGE} i JOIN loans_loan l ON l.id = i.loan_id
      LEFT JOIN accounts_borrowerprofile p ON p.user_id = l.borrower_id
     WHERE {LOANS}
       AND ((i.accruing AND i.due_date - {_NEXT} = ANY(%(days_before)s::integer[]))
            OR (i.status = 'due' AND i.due_date = {_NEXT})
            OR (i.status = 'overdue' AND {_NEXT} - i.due_date > l.grace_days + 1
                AND ({_NEXT} - i.due_date - l.grace_days - 1) %% 7 = 0))
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT COUNT(*) FROM made
"""  # noqa: S608

# DOMAIN.md §5: installments are collected on their due date from the bound card; the
# close writes the outbox rows (repayments.services.collections), tasks after it call the
# gateway.
QUEUE_COLLECTIONS = collections_queue_sql(LOANS)

FLAG_LOAN = """
UPDATE loans_loan SET close_pending_from = %(day)s
 WHERE id = %(loan_id)s AND close_pending_from IS NULL
"""

ID_RANGE = "SELECT MIN(id), MAX(id) FROM loans_loan WHERE status = 'active'"

LOANS_IN_RANGE = """
SELECT COUNT(*) FROM loans_loan
 WHERE id BETWEEN %(first)s AND %(last)s AND status = 'active'
   AND (close_pending_from IS NULL OR id = ANY(%(catch_up)s::bigint[]))
"""
