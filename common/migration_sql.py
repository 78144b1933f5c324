"""Raw SQL in migrations, per database vendor (triggers that keep invariants)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def _run(schema_editor: Any, statements: Sequence[str]) -> None:
    # Straight to the cursor without parameters: PL/pgSQL bodies use % placeholders.
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def run_vendor_sql(
    *,
    postgresql: tuple[Sequence[str], Sequence[str]],
    sqlite: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> migrations.RunPython:
    """A migration operation running (forward, reverse) statements for the connection's
    vendor; other vendors get nothing."""
    scripts = {"postgresql": postgresql, "sqlite": sqlite}

    def forward(apps: Any, schema_editor: Any) -> None:
        _run(schema_editor, scripts.get(schema_editor.connection.vendor, ((), ()))[0])

    def reverse(apps: Any, schema_editor: Any) -> None:
        _run(schema_editor, scripts.get(schema_editor.connection.vendor, ((), ()))[1])

    return migrations.RunPython(forward, reverse)


INSERT_ONLY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION common_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: its rows are insert-only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def insert_only_guard(*tables: str) -> migrations.RunPython:
    """The shared guard of event and log tables: UPDATE and DELETE of their rows are
    refused by trigger on every path (PostgreSQL and SQLite). The application role is
    also denied those privileges (common/db/grants.py)."""
    pg_forward = [INSERT_ONLY_FUNCTION] + [
        f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION common_forbid_change();"
        for table in tables
    ]
    pg_reverse = [f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table};" for table in tables]
    sqlite_forward = [
        f"CREATE TRIGGER IF NOT EXISTS {table}_insert_only_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{op} on {table}: its rows are insert-only'); END;"
        for table in tables
        for op in ("UPDATE", "DELETE")
    ]
    sqlite_reverse = [
        f"DROP TRIGGER IF EXISTS {table}_insert_only_{op.lower()};"
        for table in tables
        for op in ("UPDATE", "DELETE")
    ]
    return run_vendor_sql(
        postgresql=(pg_forward, pg_reverse), sqlite=(sqlite_forward, sqlite_reverse)
    )
