"""Database guards of the accounts app, in the style of the ledger's (ledger/0003).

- Security events are insert-only: a trigger refuses UPDATE and DELETE, so no path (ORM,
  admin, raw SQL) can rewrite what the risk engine relies on.
- A biometric consent is evidence of what the borrower agreed to: it is never deleted,
  and the only change allowed is its withdrawal (withdrawn_at from NULL to a time, every
  other column unchanged).

Installed on PostgreSQL and on SQLite (the embedded demo database).
"""

from django.db import migrations

from common.migration_sql import run_vendor_sql

_CONSENT_COLUMNS = ("id", "user_id", "text_version", "granted_at", "ip_address", "device_id")

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION accounts_securityevent_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: security events are insert-only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_securityevent_insert_only
    BEFORE UPDATE OR DELETE ON accounts_securityevent
    FOR EACH ROW EXECUTE FUNCTION accounts_securityevent_forbid_change();

CREATE OR REPLACE FUNCTION accounts_biometricconsent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DELETE on accounts_biometricconsent is not allowed: a biometric consent is only ever withdrawn'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.withdrawn_at IS NOT NULL OR NEW.withdrawn_at IS NULL
       OR (NEW.id, NEW.user_id, NEW.text_version, NEW.granted_at, NEW.ip_address, NEW.device_id)
          IS DISTINCT FROM
          (OLD.id, OLD.user_id, OLD.text_version, OLD.granted_at, OLD.ip_address, OLD.device_id)
    THEN
        RAISE EXCEPTION 'UPDATE on accounts_biometricconsent is not allowed: a biometric consent is only ever withdrawn, once'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_biometricconsent_withdraw_only
    BEFORE UPDATE OR DELETE ON accounts_biometricconsent
    FOR EACH ROW EXECUTE FUNCTION accounts_biometricconsent_guard();
"""

PG_REVERSE = r"""
DROP TRIGGER IF EXISTS accounts_biometricconsent_withdraw_only ON accounts_biometricconsent;
DROP FUNCTION IF EXISTS accounts_biometricconsent_guard();
DROP TRIGGER IF EXISTS accounts_securityevent_insert_only ON accounts_securityevent;
DROP FUNCTION IF EXISTS accounts_securityevent_forbid_change();
"""

_CONSENT_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _CONSENT_COLUMNS)

SQLITE_FORWARD = [
    *(
        f"""
CREATE TRIGGER IF NOT EXISTS accounts_securityevent_insert_only_{op.lower()}
BEFORE {op} ON accounts_securityevent
BEGIN
    SELECT RAISE(ABORT, 'security events are insert-only');
END;
"""
        for op in ("UPDATE", "DELETE")
    ),
    """
CREATE TRIGGER IF NOT EXISTS accounts_biometricconsent_no_delete
BEFORE DELETE ON accounts_biometricconsent
BEGIN
    SELECT RAISE(ABORT, 'a biometric consent is only ever withdrawn');
END;
""",
    f"""
CREATE TRIGGER IF NOT EXISTS accounts_biometricconsent_withdraw_only
BEFORE UPDATE ON accounts_biometricconsent
WHEN OLD.withdrawn_at IS NOT NULL OR NEW.withdrawn_at IS NULL OR {_CONSENT_CHANGED}
BEGIN
    SELECT RAISE(ABORT, 'a biometric consent is only ever withdrawn, once');
END;
""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_biometricconsent_withdraw_only;",
    "DROP TRIGGER IF EXISTS accounts_biometricconsent_no_delete;",
    "DROP TRIGGER IF EXISTS accounts_securityevent_insert_only_delete;",
    "DROP TRIGGER IF EXISTS accounts_securityevent_insert_only_update;",
]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_borrower_profile_security_consent")]

    operations = [
        run_vendor_sql(
            postgresql=([PG_FORWARD], [PG_REVERSE]), sqlite=(SQLITE_FORWARD, SQLITE_REVERSE)
        )
    ]
