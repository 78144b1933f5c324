"""Least privilege for the application's database role (PostgreSQL).

After every `migrate` (run as the owner role) the application role is granted what it
needs on every table and sequence, and nothing more: rows of insert-only tables (the
ledger, event and access logs) can be read and added, never changed or removed; it owns
nothing, so it cannot alter tables, disable triggers or truncate."""

from __future__ import annotations

from django.conf import settings
from django.db import connections

# Tables whose rows are never updated or deleted by the application.
INSERT_ONLY_TABLES = (
    "ledger_account",
    "ledger_journaltransaction",
    "ledger_journalline",
    "common_businessdatechange",
    "loans_applicationevent",
    "accounts_securityevent",
    "accounts_agreementacceptance",
    "loans_loancontract",
    "verification_facedataevent",
    "verification_facedataaccess",
    "common_closerunevent",
    "repayments_allocation",
    "repayments_overpaymentmovement",
    "repayments_prepaymentevent",
    "repayments_documentaccess",
    # The audit trail (django-simple-history): who changed what is never rewritten.
    "accounts_historicalborrowerprofile",
    "accounts_historicaluser",
    "accounts_historicaluser_groups",
    "accounts_historicalgroup",
    "accounts_historicalgroup_permissions",
    "loans_historicalloanproduct",
    "loans_historicalcreditline",
    "loans_historicalcreditscoringpolicy",
    "loans_historicalriskrule",
    "loans_historicalrisksettings",
    "loans_historicalloanapplication",
    "repayments_historicalprepaymentapplication",
    "backoffice_collectionnote",
    "backoffice_promisetopay",
)


def app_role_grant(*, using: str = "default") -> bool:
    """Grant the application role its privileges; True if anything was granted. Does
    nothing on other databases, when no application role is configured or exists, or when
    the connection is not the owner of the tables (the application role itself)."""
    role = settings.MICROLEND.get("DATABASE_APP_ROLE")
    connection = connections[using]
    if connection.vendor != "postgresql" or not role:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None or role == connection.settings_dict.get("USER"):
            return False
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner <> current_user"
        )
        (foreign,) = cursor.fetchone()
        if foreign:
            return False
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
            [list(INSERT_ONLY_TABLES)],
        )
        insert_only = [name for (name,) in cursor.fetchall()]
        quoted = connection.ops.quote_name(role)
        everything = "ALL TABLES IN SCHEMA public"
        statements = [
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {everything} TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON {everything} FROM {quoted}",
        ]
        if insert_only:
            tables = ", ".join(connection.ops.quote_name(name) for name in insert_only)
            statements.append(f"REVOKE UPDATE, DELETE ON {tables} FROM {quoted}")
        for sql in statements:
            cursor.execute(sql)
    return True
