"""Database guards of the ledger, in the style of django-hordak.

PostgreSQL: a deferred constraint trigger checks, at commit, that every journal transaction
touched has at least two lines summing to zero; another refuses UPDATE and DELETE of posted
rows. No path (ORM, admin, raw SQL) can commit an unbalanced or edited entry.

SQLite (the embedded demo database) has no deferred triggers: the insert-only guard is
installed there too, the balance is checked by `journal_transaction_post`.
"""

from django.db import migrations

from common.migration_sql import run_vendor_sql

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION ledger_check_transaction_balanced() RETURNS trigger AS $$
DECLARE
    txn_id bigint;
    total numeric;
    line_count integer;
BEGIN
    IF TG_TABLE_NAME = 'ledger_journaltransaction' THEN
        txn_id := NEW.id;
    ELSE
        txn_id := NEW.transaction_id;
    END IF;
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, line_count
      FROM ledger_journalline WHERE transaction_id = txn_id;
    IF line_count < 2 THEN
        RAISE EXCEPTION 'journal transaction % has % line(s); at least two are needed',
            txn_id, line_count USING ERRCODE = 'check_violation';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'journal transaction % is not balanced: its lines sum to %',
            txn_id, total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_journalline_balanced
    AFTER INSERT ON ledger_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced();

CREATE CONSTRAINT TRIGGER ledger_journaltransaction_balanced
    AFTER INSERT ON ledger_journaltransaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced();

CREATE OR REPLACE FUNCTION ledger_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: ledger entries are insert-only; post a reversing transaction instead',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_journalline_insert_only
    BEFORE UPDATE OR DELETE ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

CREATE TRIGGER ledger_journaltransaction_insert_only
    BEFORE UPDATE OR DELETE ON ledger_journaltransaction
    FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
"""

PG_REVERSE = r"""
DROP TRIGGER IF EXISTS ledger_journaltransaction_insert_only ON ledger_journaltransaction;
DROP TRIGGER IF EXISTS ledger_journalline_insert_only ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_forbid_change();
DROP TRIGGER IF EXISTS ledger_journaltransaction_balanced ON ledger_journaltransaction;
DROP TRIGGER IF EXISTS ledger_journalline_balanced ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_check_transaction_balanced();
"""

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER IF NOT EXISTS {table}_insert_only_{op.lower()}
BEFORE {op} ON {table}
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are insert-only; post a reversing transaction instead');
END;
"""
    for table in ("ledger_journalline", "ledger_journaltransaction")
    for op in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_insert_only_{op.lower()};"
    for table in ("ledger_journalline", "ledger_journaltransaction")
    for op in ("UPDATE", "DELETE")
]


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_chart_of_accounts")]

    operations = [
        run_vendor_sql(
            postgresql=([PG_FORWARD], [PG_REVERSE]), sqlite=(SQLITE_FORWARD, SQLITE_REVERSE)
        )
    ]
