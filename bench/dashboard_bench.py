"""The back office's dashboard on a big book (PostgreSQL): how long the admin's first page
takes to render.

    python bench/dashboard_bench.py [--loans 1000000] [--runs 7]

Makes a fresh database (`BENCH_DATABASE`, default `microlend_dashboard_bench`) as the
owner role, migrates it and loads the demo data (one real loan through the services), then
copies that loan `--loans` times with `generate_series` (set-based, a few statements):
value dates over the last 400 days, 1 in 10 settled, 1 in 100 cancelled, 1 in 12 active
loans overdue by 1 to 150 days, each overdue loan with a schedule version, an installment
and an overdue record (some settled), and a received repayment (with its receipt line) for
1 in 3 loans over the last 60 days. Then `VACUUM ANALYZE`.

Connected as the application role, it renders `/admin/` through Django's test client for
a superuser (the dashboard) and, as the same-run baseline, for a member of staff without
the loans permission (the same page without the dashboard), and times
`dashboard_get` on its own with each of its statements. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = os.environ.get("BENCH_PGHOST", "127.0.0.1")
OWNER = os.environ.get("BENCH_OWNER", "microlend_owner")
APP = os.environ.get("BENCH_APP", "microlend_app")
DB = os.environ.get("BENCH_DATABASE", "microlend_dashboard_bench")
# The embedded queue and files of the local settings (the database is PostgreSQL here).
DATA_DIR = os.environ.get("MICROLEND_DATA_DIR") or tempfile.mkdtemp(prefix="microlend-bench-")


def _env(user: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"postgres://{user}@{HOST}:5432/{DB}",
        "MICROLEND_DATA_DIR": DATA_DIR,
    }


def fresh_database() -> None:
    with psycopg.connect(host=HOST, user=OWNER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')
    for command in (["migrate", "--noinput", "-v", "0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=_env(OWNER),
            check=True,
            capture_output=True,
        )


def _columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [name for (name,) in rows]


def _copy_sql(
    conn: psycopg.Connection[Any], table: str, overrides: dict[str, str], source: str
) -> tuple[str, str]:
    """The column list and the select list copying a template row, some columns replaced."""
    columns = _columns(conn, table)
    values = [overrides.get(column, f"t.{column}") for column in columns]
    return ", ".join(columns), ", ".join(values)


def _one(conn: psycopg.Connection[Any], sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def build_book(loans: int) -> dict[str, Any]:
    began = time.perf_counter()
    with psycopg.connect(host=HOST, user=OWNER, dbname=DB, autocommit=True) as conn:
        on = _one(conn, 'SELECT "current_date" FROM common_businesscalendar')
        template = _one(conn, "SELECT min(id) FROM loans_loan")
        status = (
            "CASE WHEN g %% 100 = 0 THEN 'cancelled' WHEN g %% 10 = 0 THEN 'settled' "
            "ELSE 'active' END"
        )
        start = "(%(on)s::date - (g %% 400))"
        columns, values = _copy_sql(
            conn,
            "loans_loan",
            {
                "public_id": "gen_random_uuid()",
                "application_id": "NULL",
                "status": status,
                "principal": "(1000 + (g %% 40) * 500)::numeric(14,2)",
                "principal_outstanding": (
                    f"CASE WHEN {status} = 'settled' THEN 0 "
                    "ELSE (1000 + (g %% 40) * 500) * 0.8 END::numeric(14,2)"
                ),
                "start_date": start,
                "first_due_date": f"{start} + 30",
                "maturity_date": f"{start} + 300",
                "settled_date": f"CASE WHEN {status} = 'settled' THEN %(on)s::date END",
                # 1 in 12 overdue by 1-150 days; the others' next due date ahead.
                "oldest_unpaid_due_date": (
                    f"CASE WHEN {status} <> 'active' THEN NULL "
                    "WHEN g %% 12 = 0 THEN %(on)s::date - (1 + g %% 150) "
                    "ELSE %(on)s::date + 1 + g %% 28 END"
                ),
                "close_pending_from": "NULL",
            },
            "t",
        )
        conn.execute(
            f"INSERT INTO loans_loan ({columns}) SELECT {values} "  # noqa: S608
            "FROM loans_loan t, generate_series(1, %(n)s) g WHERE t.id = %(template)s",
            {"on": on, "n": loans, "template": template},
        )
        # A schedule version, an installment and an overdue record per overdue loan.
        version_cols, version_vals = _copy_sql(
            conn, "loans_scheduleversion", {"loan_id": "l.id"}, "t"
        )
        conn.execute(
            f"INSERT INTO loans_scheduleversion ({version_cols}) "  # noqa: S608
            f"SELECT {version_vals} FROM loans_scheduleversion t, loans_loan l "
            "WHERE t.loan_id = %(template)s AND l.id > %(template)s "
            "AND l.oldest_unpaid_due_date < %(on)s",
            {"template": template, "on": on},
        )
        row_cols, row_vals = _copy_sql(
            conn,
            "loans_installment",
            {
                "loan_id": "v.loan_id",
                "schedule_version_id": "v.id",
                "status": "'overdue'",
                "period_start_date": "l.oldest_unpaid_due_date - 30",
                "due_date": "l.oldest_unpaid_due_date",
                "interest_span_start_date": "l.oldest_unpaid_due_date - 30",
                "penalty_span_start_date": "NULL",
                "compound_span_start_date": "NULL",
                "accruing": "false",
                "paid_date": "NULL",
                "principal_paid": "0",
                "interest_paid": "0",
                "penalty_paid": "0",
                "compound_paid": "0",
            },
            "t",
        )
        conn.execute(
            f"INSERT INTO loans_installment ({row_cols}) SELECT {row_vals} "  # noqa: S608
            "FROM loans_installment t, loans_scheduleversion v JOIN loans_loan l ON "
            "l.id = v.loan_id WHERE t.id = (SELECT min(id) FROM loans_installment WHERE "
            "loan_id = %(template)s) AND v.loan_id > %(template)s",
            {"template": template},
        )
        conn.execute(
            "INSERT INTO repayments_overduerecord (loan_id, installment_id, borrower_id, "
            "due_date, overdue_from, principal_overdue, interest_overdue, settled_date, "
            "retain_until, created_at) "
            # A quarter of them settled over the last 25 days (for the overdue trend).
            "SELECT i.loan_id, i.id, l.borrower_id, i.due_date, i.due_date + 2, i.principal, "
            "i.interest, s.day, s.day + 1826, now() FROM loans_installment i "
            "JOIN loans_loan l ON l.id = i.loan_id CROSS JOIN LATERAL (SELECT CASE WHEN "
            "l.id %% 4 = 0 THEN %(on)s::date - (l.id %% 25)::int END AS day) s "
            "WHERE i.loan_id > %(template)s AND i.status = 'overdue'",
            {"template": template, "on": on},
        )
        # Received repayments, each with its one receipt line (the allocations must sum to
        # the amount at commit).
        conn.execute(
            "WITH made AS (INSERT INTO repayments_repayment (public_id, loan_id, borrower_id, "
            "kind, status, amount, idempotency_key, business_date, card_masked, gateway, "
            "gateway_reference, failure_reason, attempts, overpaid, requested_at, "
            "completed_at) SELECT gen_random_uuid(), l.id, l.borrower_id, 'payment', "
            "'succeeded', 100 + l.id %% 900, 'bench:' || l.id, %(on)s::date - (l.id %% 60)::int, "
            "'', 'simulated', '', '', 1, 0, now(), now() FROM loans_loan l "
            "WHERE l.id > %(template)s AND l.id %% 3 = 0 RETURNING id, amount) "
            "INSERT INTO repayments_allocation (repayment_id, installment_id, component, "
            "standing, amount) SELECT id, NULL, 'principal', '', amount FROM made",
            {"template": template, "on": on},
        )
        conn.execute("VACUUM ANALYZE")
        counts = {
            table: _one(conn, f"SELECT count(*) FROM {table}")  # noqa: S608
            for table in (
                "loans_loan",
                "loans_installment",
                "repayments_repayment",
                "repayments_overduerecord",
            )
        }
    return {"build_seconds": round(time.perf_counter() - began, 1), "rows": counts}


def measure(runs: int) -> dict[str, Any]:
    os.environ.update(_env(APP))
    import django

    django.setup()
    from django.conf import settings

    # Without collectstatic's manifest: static names as they are (the page's cost is the
    # same; production serves the hashed names).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from backoffice.selectors.dashboard import dashboard_get
    from common.selectors import business_date_get

    superuser, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    plain, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_staff": True})

    def timed_pages(user: User) -> tuple[list[float], int]:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        assert client.get("/admin/").status_code == 200  # warm
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            response = client.get("/admin/")
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get("/admin/")
        return times, len(queries)

    dashboard_ms, dashboard_queries = timed_pages(superuser)
    baseline_ms, baseline_queries = timed_pages(plain)
    on = business_date_get()
    statements: list[dict[str, Any]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(
                {
                    "ms": round((time.perf_counter() - began) * 1000, 1),
                    "sql": " ".join(sql.split())[:90],
                }
            )

    with connection.execute_wrapper(timer):
        began = time.perf_counter()
        board = dashboard_get(business_date=on, now=timezone.now())
        selector_ms = (time.perf_counter() - began) * 1000
    return {
        "dashboard_page_ms": {
            "median": round(statistics.median(dashboard_ms), 1),
            "min": round(min(dashboard_ms), 1),
            "max": round(max(dashboard_ms), 1),
            "queries": dashboard_queries,
        },
        "baseline_page_ms": {
            "median": round(statistics.median(baseline_ms), 1),
            "queries": baseline_queries,
        },
        "ratio": round(statistics.median(dashboard_ms) / statistics.median(baseline_ms), 2),
        "selector_ms": round(selector_ms, 1),
        "statements": statements,
        "figures": {
            "active_loans": board.active_loans,
            "outstanding_principal": str(board.outstanding_principal),
            "overdue_loans": board.overdue_loans,
            "par_1": str(board.par_1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="measure the existing database")
    args = parser.parse_args()
    result: dict[str, Any] = {"loans": args.loans}
    if not args.reuse:
        fresh_database()
        result.update(build_book(args.loans))
    result.update(measure(args.runs))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
