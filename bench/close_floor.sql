-- The floor of the close of business (bench/close_bench.py): the bare statements that make
-- the same row changes as `business_day_close` of day D on the benchmark's book, over the
-- whole book at once, in one transaction, with no framework around them: no chunks, no
-- chunk or step records, no savepoints, no Django. The ledger's guards (triggers on the
-- ledger tables) stay, as they are part of the tables. Parameters: %(day)s (D), %(next)s
-- (D + 1), %(now)s, %(notice_days)s. Each statement returns its counts. The reminders are
-- the close's follow-up work (closing/followups.py), so they are not here either.
-- What is owed on a date is the same pure function as loans/owed_sql.py, written out.

-- statement: accrue
-- Tonight's accrual (owed on D + 1 less owed on D) of every row in its period and every row
-- due or overdue, posted as three balanced journal transactions. The rows in their period
-- (a million) are read from the covering partial index of accruing rows alone.
WITH cur AS (
    -- rows in their period, due after D: interest only (penalty and compound start past
    -- the due date and its grace); read from the covering partial indexes alone
    SELECT COALESCE(SUM(CASE WHEN l.daily_rate IS NOT NULL THEN
                round(i.interest_span_base * l.daily_rate
                      * GREATEST(0, %(next)s::date - i.interest_span_start_date), 2)
              - round(i.interest_span_base * l.daily_rate
                      * GREATEST(0, %(day)s::date - i.interest_span_start_date), 2)
            ELSE
                round(CAST(round(CAST(i.interest_span_base * l.annual_rate AS numeric(48, 24)) / 12, 2)
                      * GREATEST(0, %(next)s::date - i.interest_span_start_date)
                      AS numeric(48, 24)) / (i.due_date - i.period_start_date), 2)
              - round(CAST(round(CAST(i.interest_span_base * l.annual_rate AS numeric(48, 24)) / 12, 2)
                      * GREATEST(0, %(day)s::date - i.interest_span_start_date)
                      AS numeric(48, 24)) / (i.due_date - i.period_start_date), 2)
            END), 0) AS interest, COUNT(*) AS rows
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.accruing AND i.due_date >= %(next)s::date
       AND l.status = 'active' AND l.close_pending_from IS NULL
), owed AS (
    -- every other row that can accrue: due or overdue (and a row at its due date)
    SELECT
        -- interest
        CASE WHEN l.daily_rate IS NOT NULL THEN
            round(i.interest_span_base * l.daily_rate
                  * GREATEST(0, LEAST(%(next)s::date, i.due_date) - i.interest_span_start_date), 2)
          - round(i.interest_span_base * l.daily_rate
                  * GREATEST(0, LEAST(%(day)s::date, i.due_date) - i.interest_span_start_date), 2)
        ELSE
            round(CAST(round(CAST(i.interest_span_base * l.annual_rate AS numeric(48, 24)) / 12, 2)
                  * GREATEST(0, LEAST(%(next)s::date, i.due_date) - i.interest_span_start_date)
                  AS numeric(48, 24)) / (i.due_date - i.period_start_date), 2)
          - round(CAST(round(CAST(i.interest_span_base * l.annual_rate AS numeric(48, 24)) / 12, 2)
                  * GREATEST(0, LEAST(%(day)s::date, i.due_date) - i.interest_span_start_date)
                  AS numeric(48, 24)) / (i.due_date - i.period_start_date), 2)
        END AS interest,
        -- penalty on overdue principal, from the day after the due date once grace has passed
        CASE WHEN %(next)s::date - i.due_date > l.grace_days THEN
            CASE WHEN l.daily_rate IS NOT NULL THEN
                round((i.principal - i.principal_paid) * l.daily_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(next)s::date - COALESCE(i.penalty_span_start_date, i.due_date)), 2)
            ELSE
                round(CAST((i.principal - i.principal_paid) * l.annual_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(next)s::date - COALESCE(i.penalty_span_start_date, i.due_date))
                      AS numeric(48, 24)) / 360, 2)
            END ELSE 0 END
        - CASE WHEN %(day)s::date - i.due_date > l.grace_days THEN
            CASE WHEN l.daily_rate IS NOT NULL THEN
                round((i.principal - i.principal_paid) * l.daily_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(day)s::date - COALESCE(i.penalty_span_start_date, i.due_date)), 2)
            ELSE
                round(CAST((i.principal - i.principal_paid) * l.annual_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(day)s::date - COALESCE(i.penalty_span_start_date, i.due_date))
                      AS numeric(48, 24)) / 360, 2)
            END ELSE 0 END AS penalty,
        -- compound interest on overdue interest, the same way
        CASE WHEN l.compound_interest_enabled AND %(next)s::date - i.due_date > l.grace_days THEN
            CASE WHEN l.daily_rate IS NOT NULL THEN
                round((i.interest - i.interest_paid) * l.daily_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(next)s::date - COALESCE(i.compound_span_start_date, i.due_date)), 2)
            ELSE
                round(CAST((i.interest - i.interest_paid) * l.annual_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(next)s::date - COALESCE(i.compound_span_start_date, i.due_date))
                      AS numeric(48, 24)) / 360, 2)
            END ELSE 0 END
        - CASE WHEN l.compound_interest_enabled AND %(day)s::date - i.due_date > l.grace_days THEN
            CASE WHEN l.daily_rate IS NOT NULL THEN
                round((i.interest - i.interest_paid) * l.daily_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(day)s::date - COALESCE(i.compound_span_start_date, i.due_date)), 2)
            ELSE
                round(CAST((i.interest - i.interest_paid) * l.annual_rate * l.penalty_rate_multiplier
                      * GREATEST(0, %(day)s::date - COALESCE(i.compound_span_start_date, i.due_date))
                      AS numeric(48, 24)) / 360, 2)
            END ELSE 0 END AS compound
      FROM (SELECT loan_id, status, due_date, period_start_date, principal, principal_paid, interest,
                   interest_paid, interest_span_start_date, interest_span_base,
                   interest_accrued_before_span, penalty_span_start_date,
                   penalty_accrued_before_span, compound_span_start_date,
                   compound_accrued_before_span
              FROM loans_installment
             WHERE status IN ('due', 'overdue') AND NOT accruing
            UNION ALL
            SELECT loan_id, status, due_date, period_start_date, principal, principal_paid, interest,
                   interest_paid, interest_span_start_date, interest_span_base,
                   interest_accrued_before_span, penalty_span_start_date,
                   penalty_accrued_before_span, compound_span_start_date,
                   compound_accrued_before_span
              FROM loans_installment
             WHERE accruing AND due_date < %(next)s::date) i
      JOIN loans_loan l ON l.id = i.loan_id
     WHERE l.status = 'active' AND l.close_pending_from IS NULL
), totals AS (
    SELECT cur.interest + COALESCE(SUM(owed.interest), 0) AS interest, COALESCE(SUM(penalty), 0) AS penalty,
           COALESCE(SUM(compound), 0) AS compound, cur.rows + COUNT(owed.*) AS rows
      FROM cur LEFT JOIN owed ON true
     GROUP BY cur.interest, cur.rows
), header AS (
    INSERT INTO ledger_journaltransaction
        (public_id, idempotency_key, kind, business_date, posted_at, description, reverses_id)
    SELECT gen_random_uuid(), v.kind || ':' || %(day)s::date || ':floor', v.kind, %(day)s::date,
           %(now)s, 'Accrual (floor)', NULL
      FROM totals CROSS JOIN LATERAL (VALUES ('interest_accrual', totals.interest),
                                             ('penalty_accrual', totals.penalty),
                                             ('compound_accrual', totals.compound)) v(kind, amount)
     WHERE v.amount <> 0
    RETURNING id, kind
), line AS (
    INSERT INTO ledger_journalline (transaction_id, account_id, amount, loan_id)
    SELECT h.id, a.id, x.amount, NULL
      FROM header h CROSS JOIN totals
     CROSS JOIN LATERAL (VALUES ('interest_accrual', '1102', totals.interest),
                                ('interest_accrual', '4001', -totals.interest),
                                ('penalty_accrual', '1103', totals.penalty),
                                ('penalty_accrual', '4002', -totals.penalty),
                                ('compound_accrual', '1104', totals.compound),
                                ('compound_accrual', '4003', -totals.compound)) x(kind, code, amount)
      JOIN ledger_account a ON a.code = x.code
     WHERE x.kind = h.kind
    RETURNING 1
)
SELECT totals.interest, totals.penalty, totals.compound, totals.rows,
       (SELECT COUNT(*) FROM line) FROM totals;

-- statement: roll_periods
-- Rows due on D + 1 fall due; the next row's period starts.
WITH ending AS MATERIALIZED (
    SELECT i.id FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.accruing AND i.due_date <= %(next)s::date
       AND l.status = 'active' AND l.close_pending_from IS NULL
), ended AS (
    UPDATE loans_installment i
       SET accruing = false, status = CASE WHEN i.status = 'pending' THEN 'due' ELSE i.status END
      FROM ending WHERE i.id = ending.id
    RETURNING i.loan_id, i.number, i.due_date
), started AS (
    UPDATE loans_installment n SET accruing = true
      FROM ended e
     WHERE n.loan_id = e.loan_id AND n.number = e.number + 1 AND n.status = 'pending'
       AND n.period_start_date = e.due_date AND n.due_date > %(next)s::date
    RETURNING n.id
)
SELECT (SELECT COUNT(*) FROM ended), (SELECT COUNT(*) FROM started);

-- statement: mark_overdue
-- Past grace: overdue, with an overdue record, a credit-report record and a notice.
WITH moving AS MATERIALIZED (
    SELECT i.id, l.borrower_id, l.public_id AS loan_public_id
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.status = 'due' AND %(next)s::date - i.due_date > l.grace_days
       AND l.status = 'active' AND l.close_pending_from IS NULL
), moved AS (
    UPDATE loans_installment i SET status = 'overdue'
      FROM moving WHERE i.id = moving.id
    RETURNING i.id, i.loan_id, moving.borrower_id, moving.loan_public_id, i.number,
              i.due_date, i.principal - i.principal_paid AS principal_overdue,
              i.interest - i.interest_paid AS interest_overdue
), records AS (
    INSERT INTO repayments_overduerecord
        (loan_id, installment_id, borrower_id, due_date, overdue_from, principal_overdue,
         interest_overdue, created_at)
    SELECT loan_id, id, borrower_id, due_date, %(next)s::date, principal_overdue,
           interest_overdue, %(now)s
      FROM moved
    RETURNING id, installment_id, borrower_id
), reports AS (
    INSERT INTO repayments_creditreportrecord
        (overdue_record_id, borrower_id, state, notified_on, report_after)
    SELECT id, borrower_id, 'pending_notice', %(next)s::date,
           %(next)s::date + %(notice_days)s::integer
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
               'report_after', (%(next)s::date + %(notice_days)s::integer)::text),
           '/loans/' || m.loan_public_id || '/', 'overdue:' || m.id, %(now)s
      FROM moved m LEFT JOIN accounts_borrowerprofile p ON p.user_id = m.borrower_id
    RETURNING id
)
SELECT (SELECT COUNT(*) FROM moved), (SELECT COUNT(*) FROM records),
       (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM notices);

-- statement: queue_collections
-- One collection per loan with a row due on D, for what it owes on D (due and overdue
-- rows) less what is held for it.
WITH due AS (
    SELECT i.loan_id,
           SUM(i.interest_accrued_before_span
               + CASE WHEN l.daily_rate IS NOT NULL THEN
                     round(i.interest_span_base * l.daily_rate
                           * GREATEST(0, LEAST(%(day)s::date, i.due_date) - i.interest_span_start_date), 2)
                 ELSE
                     round(CAST(round(CAST(i.interest_span_base * l.annual_rate AS numeric(48, 24)) / 12, 2)
                           * GREATEST(0, LEAST(%(day)s::date, i.due_date) - i.interest_span_start_date)
                           AS numeric(48, 24)) / (i.due_date - i.period_start_date), 2) END
               - i.interest_paid + i.principal - i.principal_paid
               + i.penalty_accrued_before_span
               + CASE WHEN %(day)s::date - i.due_date > l.grace_days THEN
                     CASE WHEN l.daily_rate IS NOT NULL THEN
                         round((i.principal - i.principal_paid) * l.daily_rate * l.penalty_rate_multiplier
                               * GREATEST(0, %(day)s::date - COALESCE(i.penalty_span_start_date, i.due_date)), 2)
                     ELSE
                         round(CAST((i.principal - i.principal_paid) * l.annual_rate * l.penalty_rate_multiplier
                               * GREATEST(0, %(day)s::date - COALESCE(i.penalty_span_start_date, i.due_date))
                               AS numeric(48, 24)) / 360, 2) END
                 ELSE 0 END - i.penalty_paid
               + i.compound_accrued_before_span
               + CASE WHEN l.compound_interest_enabled AND %(day)s::date - i.due_date > l.grace_days THEN
                     CASE WHEN l.daily_rate IS NOT NULL THEN
                         round((i.interest - i.interest_paid) * l.daily_rate * l.penalty_rate_multiplier
                               * GREATEST(0, %(day)s::date - COALESCE(i.compound_span_start_date, i.due_date)), 2)
                     ELSE
                         round(CAST((i.interest - i.interest_paid) * l.annual_rate * l.penalty_rate_multiplier
                               * GREATEST(0, %(day)s::date - COALESCE(i.compound_span_start_date, i.due_date))
                               AS numeric(48, 24)) / 360, 2) END
                 ELSE 0 END - i.compound_paid) AS gross,
           bool_or(i.due_date = %(day)s::date) AS falls_due_today
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
     WHERE i.status IN ('due', 'overdue') AND i.due_date <= %(day)s::date
       AND l.status = 'active' AND l.close_pending_from IS NULL
     GROUP BY i.loan_id
), made AS (
    INSERT INTO repayments_repayment
        (public_id, loan_id, borrower_id, kind, status, amount, idempotency_key,
         business_date, card_masked, gateway, gateway_reference, failure_reason, attempts,
         overpaid, requested_at)
    SELECT gen_random_uuid(), l.id, l.borrower_id, 'collection', 'pending',
           due.gross - COALESCE(held.amount, 0),
           'collection:' || l.public_id || ':' || %(day)s::date::text, %(day)s::date,
           COALESCE(p.bank_card_masked, ''), '', '', '', 0, 0, %(now)s
      FROM due JOIN loans_loan l ON l.id = due.loan_id
      LEFT JOIN repayments_overpaymentbalance held ON held.loan_id = l.id
      LEFT JOIN accounts_borrowerprofile p ON p.user_id = l.borrower_id
     WHERE due.falls_due_today AND due.gross - COALESCE(held.amount, 0) > 0
    RETURNING id
)
SELECT COUNT(*) FROM made;

-- statement: open_next_day
WITH moved AS (
    UPDATE common_businesscalendar SET "current_date" = %(next)s::date, updated_at = %(now)s
     WHERE id = 1 AND "current_date" = %(day)s::date
    RETURNING id
), change AS (
    INSERT INTO common_businessdatechange (from_date, to_date, source, reason, actor_id, changed_at)
    SELECT %(day)s::date, %(next)s::date, 'close_of_business', 'Close (floor)', NULL, %(now)s
      FROM moved
    RETURNING id
)
SELECT (SELECT COUNT(*) FROM moved), (SELECT COUNT(*) FROM change);
