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
