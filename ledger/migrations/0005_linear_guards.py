"""Ledger guards whose cost is linear in what is written (PostgreSQL).

The row-level deferred balance trigger of 0003 re-summed a whole transaction for every
line inserted (quadratic in the size of a transaction, and one deferred event per line).
These guards run once per statement over the statement's own rows (transition tables):

- a transaction row cannot be inserted without lines: its lines come in the same
  statement (a data-modifying CTE) or before it in the same database transaction;
- the lines a statement inserts for a transaction are all its lines (nothing may be added
  to a transaction that already has lines), at least two, summing to zero;
- lines on a loan's receivable accounts carry the loan, except the nightly accrual totals;
- TRUNCATE of ledger tables is refused unless the session set
  `microlend.allow_ledger_truncate = 'on'` (only the owner role can truncate at all);
- the chart of accounts only grows: UPDATE and DELETE of accounts are refused.

The insert-only triggers of 0003 (UPDATE/DELETE of entries refused) stay.
"""

from django.db import migrations, models

from common.migration_sql import run_vendor_sql

PG_FORWARD = r"""
DROP TRIGGER IF EXISTS ledger_journalline_balanced ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_journaltransaction_balanced ON ledger_journaltransaction;
DROP FUNCTION IF EXISTS ledger_check_transaction_balanced();

CREATE OR REPLACE FUNCTION ledger_lines_statement_check() RETURNS trigger AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.transaction_id, n.total, n.line_count, stored.line_count AS stored_count
      INTO bad
      FROM (SELECT transaction_id, sum(amount) AS total, count(*) AS line_count
              FROM new_lines GROUP BY transaction_id) n
     CROSS JOIN LATERAL (SELECT count(*) AS line_count FROM ledger_journalline l
                          WHERE l.transaction_id = n.transaction_id) stored
     WHERE n.total <> 0 OR n.line_count < 2 OR n.line_count <> stored.line_count
     LIMIT 1;
    IF FOUND THEN
        IF bad.stored_count <> bad.line_count THEN
            RAISE EXCEPTION 'lines cannot be added to journal transaction %, which already has lines: a transaction and its lines are written together',
                bad.transaction_id USING ERRCODE = 'check_violation';
        ELSIF bad.line_count < 2 THEN
            RAISE EXCEPTION 'journal transaction % has % line(s); at least two are needed',
                bad.transaction_id, bad.line_count USING ERRCODE = 'check_violation';
        ELSE
            RAISE EXCEPTION 'journal transaction % is not balanced: its lines sum to %',
                bad.transaction_id, bad.total USING ERRCODE = 'check_violation';
        END IF;
    END IF;

    SELECT n.transaction_id, a.code INTO bad
      FROM new_lines n
      JOIN ledger_account a ON a.id = n.account_id
     WHERE n.loan_id IS NULL
       AND a.code IN ('1101', '1102', '1103', '1104', '1105')
       AND NOT EXISTS (
           SELECT 1 FROM ledger_journaltransaction t
            WHERE t.id = n.transaction_id
              AND t.kind IN ('interest_accrual', 'penalty_accrual', 'compound_accrual'))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal transaction % posts to loan account % without a loan',
            bad.transaction_id, bad.code USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_journalline_statement_check
    AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_statement_check();

CREATE OR REPLACE FUNCTION ledger_transactions_statement_check() RETURNS trigger AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT t.id INTO bad FROM new_transactions t
     WHERE NOT EXISTS (SELECT 1 FROM ledger_journalline l WHERE l.transaction_id = t.id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal transaction % has no lines: a transaction and its lines are written together',
            bad USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_journaltransaction_statement_check
    AFTER INSERT ON ledger_journaltransaction
    REFERENCING NEW TABLE AS new_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_transactions_statement_check();

CREATE OR REPLACE FUNCTION ledger_forbid_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('microlend.allow_ledger_truncate', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'TRUNCATE on % is not allowed: ledger entries are insert-only', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_journalline_no_truncate BEFORE TRUNCATE ON ledger_journalline
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_truncate();
CREATE TRIGGER ledger_journaltransaction_no_truncate BEFORE TRUNCATE ON ledger_journaltransaction
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_truncate();
CREATE TRIGGER ledger_account_no_truncate BEFORE TRUNCATE ON ledger_account
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_truncate();

CREATE OR REPLACE FUNCTION ledger_chart_only_grows() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on ledger_account is not allowed: the chart of accounts only grows (add an account instead)',
        TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_account_only_grows BEFORE UPDATE OR DELETE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_chart_only_grows();
"""

PG_REVERSE = r"""
DROP TRIGGER IF EXISTS ledger_account_only_grows ON ledger_account;
DROP FUNCTION IF EXISTS ledger_chart_only_grows();
DROP TRIGGER IF EXISTS ledger_account_no_truncate ON ledger_account;
DROP TRIGGER IF EXISTS ledger_journaltransaction_no_truncate ON ledger_journaltransaction;
DROP TRIGGER IF EXISTS ledger_journalline_no_truncate ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_forbid_truncate();
DROP TRIGGER IF EXISTS ledger_journaltransaction_statement_check ON ledger_journaltransaction;
DROP FUNCTION IF EXISTS ledger_transactions_statement_check();
DROP TRIGGER IF EXISTS ledger_journalline_statement_check ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_lines_statement_check();
"""

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER IF NOT EXISTS ledger_account_only_grows_{op.lower()}
BEFORE {op} ON ledger_account
BEGIN
    SELECT RAISE(ABORT, 'the chart of accounts only grows (add an account instead)');
END;
"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS ledger_account_only_grows_{op.lower()};" for op in ("UPDATE", "DELETE")
]


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_payouts_in_transit"), ("loans", "0004_installment_cancelled")]

    operations = [
        migrations.AlterField(
            model_name="journaltransaction",
            name="kind",
            field=models.CharField(
                choices=[
                    ("funding", "Funding"),
                    ("disbursement", "Disbursement"),
                    ("repayment", "Repayment"),
                    ("interest_accrual", "Interest accrual"),
                    ("penalty_accrual", "Penalty accrual"),
                    ("compound_accrual", "Compound interest accrual"),
                    ("payoff", "Payoff"),
                    ("prepayment", "Prepayment"),
                    ("overpayment_applied", "Overpayment applied"),
                    ("refund", "Refund"),
                    ("fee", "Fee"),
                    ("write_off", "Write-off"),
                    ("reversal", "Reversal"),
                    ("adjustment", "Adjustment"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(
                fields=["loan", "account"], name="journal_line_loan_account"
            ),
        ),
        run_vendor_sql(
            postgresql=([PG_FORWARD], [PG_REVERSE]), sqlite=(SQLITE_FORWARD, SQLITE_REVERSE)
        ),
    ]
