"""PostgreSQL with two roles (docs/deployment.md): the application connects as a role that
owns nothing; migrations and test-database flushes run as the owner role.

A plain PostgreSQL backend, except that when the connection's settings name an `OWNER`
(the test settings do), a flush runs on a separate connection as that owner and says so
deliberately (`microlend.allow_ledger_truncate`), because TRUNCATE of ledger tables is
refused to everyone else (ledger/migrations/0005_linear_guards.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg
from django.db.backends.postgresql import base, operations


def owner_connect(settings_dict: dict[str, Any]) -> psycopg.Connection[Any]:
    """A new connection to the same database as the owner role."""
    owner = settings_dict["OWNER"]
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=owner["USER"],
        password=owner.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
    )


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list: Iterable[str]) -> None:
        if not self.connection.settings_dict.get("OWNER"):
            super().execute_sql_flush(sql_list)
            return
        with owner_connect(self.connection.settings_dict) as owner, owner.cursor() as cursor:
            cursor.execute("SET LOCAL microlend.allow_ledger_truncate = 'on'")
            for sql in sql_list:
                cursor.execute(sql)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
