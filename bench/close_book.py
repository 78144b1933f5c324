"""A realistic book of N open loans for the close-of-business benchmark and the restart test
(PostgreSQL), built set-based (bench/close_book.sql), never row by row through the ORM.

    python bench/close_book.py --loans 100000 [--database microlend_bench_close]

The first build of a size makes a template database `<database>_tpl_<N>` (migrated with
`manage.py migrate` as the owner role, then filled); every later call copies the template
with CREATE DATABASE ... TEMPLATE, which takes seconds instead of minutes. A template is
rebuilt when its statements change (its comment holds their digest).

While the rows are loaded the secondary indexes and foreign keys of the loaded tables are
dropped and then re-created from their own definitions (so the constraints are checked
once, over the whole table); the check constraints stay on. The ledger's postings go in
with every guard on (balanced, insert-only, loan on the lines), 100,000 loans per
statement. The book ends vacuumed and analysed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loans import owed_sql  # noqa: E402 - after the path is set

HOST = os.environ.get("BENCH_PGHOST", "127.0.0.1")
PORT = os.environ.get("BENCH_PGPORT", "5432")
OWNER = os.environ.get("BENCH_OWNER", "microlend_owner")
APP = os.environ.get("BENCH_APP", "microlend_app")
DATABASE = os.environ.get("BENCH_CLOSE_DATABASE", "microlend_bench_close")
# The open business date of the book: the day the benchmark closes (about 1 loan in 30
# has an installment due on it).
BOOK_DAY = dt.date(2026, 11, 19)
SQL_FILE = ROOT / "bench" / "close_book.sql"
LEDGER_BATCH = 100_000
# The tables loaded in bulk: their secondary indexes and foreign keys are re-created after.
BULK_TABLES = (
    "accounts_user",
    "accounts_borrowerprofile",
    "loans_loan",
    "loans_scheduleversion",
    "loans_installment",
)

_DISBURSEMENTS_SQL = """
WITH header AS (
    INSERT INTO ledger_journaltransaction
        (public_id, idempotency_key, kind, business_date, posted_at, description, reverses_id)
    SELECT gen_random_uuid(), 'disbursement:bench:' || l.id, 'disbursement', l.start_date,
           now(), 'Disbursement', NULL
      FROM loans_loan l WHERE l.id BETWEEN %(first)s AND %(last)s
    RETURNING id, idempotency_key
), line AS (
    INSERT INTO ledger_journalline (transaction_id, account_id, amount, loan_id)
    SELECT h.id, a.id, v.amount, l.id
      FROM header h
      JOIN loans_loan l ON l.id = split_part(h.idempotency_key, ':', 3)::bigint
     CROSS JOIN LATERAL (VALUES ('1101', l.principal), ('1001', -l.principal)) v(code, amount)
      JOIN ledger_account a ON a.code = v.code
    RETURNING 1
)
SELECT COUNT(*) FROM line
"""

# What each loan has repaid so far, one repayment transaction per loan (principal and
# interest, the loan on every line).
_REPAYMENTS_SQL = """
WITH paid AS (
    SELECT loan_id, SUM(principal_paid) AS principal, SUM(interest_paid) AS interest,
           MAX(paid_date) AS last_paid
      FROM loans_installment
     WHERE loan_id BETWEEN %(first)s AND %(last)s AND status = 'paid'
     GROUP BY loan_id
), header AS (
    INSERT INTO ledger_journaltransaction
        (public_id, idempotency_key, kind, business_date, posted_at, description, reverses_id)
    SELECT gen_random_uuid(), 'repayment:bench:' || loan_id, 'repayment', last_paid, now(),
           'Repayments to date', NULL
      FROM paid
    RETURNING id, idempotency_key
), line AS (
    INSERT INTO ledger_journalline (transaction_id, account_id, amount, loan_id)
    SELECT h.id, a.id, v.amount, p.loan_id
      FROM header h
      JOIN paid p ON p.loan_id = split_part(h.idempotency_key, ':', 3)::bigint
     CROSS JOIN LATERAL (VALUES ('1001', p.principal + p.interest), ('1101', -p.principal),
                                ('1102', -p.interest)) v(code, amount)
      JOIN ledger_account a ON a.code = v.code
     WHERE v.amount <> 0
    RETURNING 1
)
SELECT COUNT(*) FROM line
"""

# The accruals up to D, one transaction per component: what the live rows owe on D plus
# the interest already repaid (it was accrued before it was paid).
_OPENING_OWED_SQL = f"""
SELECT COALESCE(SUM(CASE WHEN i.status = 'paid' THEN i.interest_paid
                         ELSE {owed_sql.interest_owed("%(day)s::date")} END), 0),
       COALESCE(SUM(CASE WHEN i.status = 'paid' THEN i.penalty_paid
                         ELSE {owed_sql.penalty_owed("%(day)s::date")} END), 0),
       COALESCE(SUM(CASE WHEN i.status = 'paid' THEN i.compound_paid
                         ELSE {owed_sql.compound_owed("%(day)s::date")} END), 0)
  FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
"""  # noqa: S608 - constant fragments

_OPENING_POST_SQL = """
WITH header AS (
    INSERT INTO ledger_journaltransaction
        (public_id, idempotency_key, kind, business_date, posted_at, description, reverses_id)
    SELECT gen_random_uuid(), v.kind || ':bench:opening', v.kind, %(day)s::date - 1, now(),
           'Accruals before the benchmark day', NULL
      FROM (VALUES ('interest_accrual', %(interest)s::numeric),
                   ('penalty_accrual', %(penalty)s::numeric),
                   ('compound_accrual', %(compound)s::numeric)) v(kind, amount)
     WHERE v.amount <> 0
    RETURNING id, kind
), line AS (
    INSERT INTO ledger_journalline (transaction_id, account_id, amount, loan_id)
    SELECT h.id, a.id, x.amount, NULL
      FROM header h
      JOIN (VALUES ('interest_accrual', '1102', %(interest)s::numeric),
                   ('interest_accrual', '4001', -%(interest)s::numeric),
                   ('penalty_accrual', '1103', %(penalty)s::numeric),
                   ('penalty_accrual', '4002', -%(penalty)s::numeric),
                   ('compound_accrual', '1104', %(compound)s::numeric),
                   ('compound_accrual', '4003', -%(compound)s::numeric)) x(kind, code, amount)
        ON x.kind = h.kind
      JOIN ledger_account a ON a.code = x.code
    RETURNING 1
)
SELECT COUNT(*) FROM line
"""

_BOOK_FIGURES_SQL = """
SELECT
  (SELECT COUNT(*) FROM loans_loan WHERE status = 'active'),
  (SELECT COUNT(*) FROM loans_loan WHERE daily_rate IS NOT NULL),
  (SELECT COUNT(*) FROM loans_loan WHERE term = 360),
  (SELECT COUNT(*) FROM loans_installment),
  (SELECT COUNT(*) FROM loans_installment WHERE status = 'paid'),
  (SELECT COUNT(*) FROM loans_installment WHERE accruing),
  (SELECT COUNT(*) FROM loans_installment WHERE due_date = %(day)s::date),
  (SELECT COUNT(*) FROM loans_installment WHERE due_date = %(day)s::date + 1),
  (SELECT COUNT(*) FROM loans_installment WHERE status = 'due'),
  (SELECT COUNT(*) FROM loans_installment WHERE status = 'overdue'),
  (SELECT COUNT(*) FROM ledger_journaltransaction),
  (SELECT COUNT(*) FROM ledger_journalline),
  (SELECT MIN(start_date) FROM loans_loan),
  (SELECT MAX(start_date) FROM loans_loan)
"""

_AGING_SQL = """
SELECT CASE WHEN %(day)s::date - oldest_unpaid_due_date BETWEEN 1 AND 30 THEN '1-30'
            WHEN %(day)s::date - oldest_unpaid_due_date BETWEEN 31 AND 60 THEN '31-60'
            WHEN %(day)s::date - oldest_unpaid_due_date BETWEEN 61 AND 90 THEN '61-90'
            ELSE '91+' END, COUNT(*)
  FROM loans_loan
 WHERE status = 'active' AND EXISTS (
       SELECT 1 FROM loans_installment i WHERE i.loan_id = loans_loan.id AND i.status = 'overdue')
 GROUP BY 1 ORDER BY 1
"""


def _connect(database: str, *, user: str = OWNER, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=user, dbname=database, autocommit=autocommit)


def one(conn: psycopg.Connection, sql: Any, params: Any = None) -> tuple[Any, ...]:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row


def database_url(database: str, *, user: str = APP) -> str:
    return f"postgres://{user}@{HOST}:{PORT}/{database}"


def _digest() -> str:
    hasher = hashlib.sha256()
    hasher.update(SQL_FILE.read_bytes())
    for statement in (_DISBURSEMENTS_SQL, _REPAYMENTS_SQL, _OPENING_OWED_SQL, _OPENING_POST_SQL):
        hasher.update(statement.encode())
    for migration in sorted(ROOT.glob("*/migrations/0*.py")):
        hasher.update(migration.name.encode())
    return hasher.hexdigest()[:16]


def _steps() -> list[tuple[str, str]]:
    text = SQL_FILE.read_text(encoding="utf-8")
    parts = re.split(r"^-- step: (\w+)\n", text, flags=re.MULTILINE)
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2)]


def _drop_database(database: str) -> None:
    """Drop `database`, waiting for the sessions of processes that just ended to go."""
    with _connect("postgres", autocommit=True) as conn:
        for attempt in range(100):
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 99:
                    raise
                time.sleep(0.2)  # float-ok: seconds


def migrate(database: str) -> None:
    """Create `database` as the owner role and migrate it with manage.py."""
    _drop_database(database)
    with _connect("postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(database, user=OWNER),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _detach(conn: psycopg.Connection) -> list[str]:
    """Drop the bulk tables' foreign keys and secondary indexes; their DDL to restore."""
    tables = list(BULK_TABLES)
    keys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [tables],
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid::regclass::text = ANY(%s) AND NOT indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid)",
        [tables],
    ).fetchall()
    for table, name, _ in keys:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in keys
    ]


def build(
    database: str, *, loans: int, day: dt.date = BOOK_DAY, log: Any = print
) -> dict[str, Any]:
    """Migrate a fresh `database` and fill it with the book. Returns its figures."""
    began = time.perf_counter()
    migrate(database)
    timings: dict[str, float] = {"migrate": time.perf_counter() - began}
    params = {"n": loans, "day": day, "users": max(1, loans * 85 // 100)}
    with _connect(database) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET work_mem = '256MB'")
        restore = _detach(conn)
        for name, statement in _steps():
            started = time.perf_counter()
            conn.execute(statement, params)
            timings[name] = time.perf_counter() - started
            log(f"  book {name}: {timings[name]:.1f} s")
        started = time.perf_counter()
        for ddl in restore:
            conn.execute(ddl)
        timings["indexes_and_keys"] = time.perf_counter() - started
        conn.commit()
        log(f"  book indexes and keys: {timings['indexes_and_keys']:.1f} s")
        started = time.perf_counter()
        for first in range(1, loans + 1, LEDGER_BATCH):
            batch = {"first": first, "last": first + LEDGER_BATCH - 1}
            conn.execute(_DISBURSEMENTS_SQL, batch)
            conn.execute(_REPAYMENTS_SQL, batch)
            conn.commit()
        interest, penalty, compound = one(conn, _OPENING_OWED_SQL, {"day": day})
        conn.execute(
            _OPENING_POST_SQL,
            {"day": day, "interest": interest, "penalty": penalty, "compound": compound},
        )
        conn.commit()
        timings["ledger"] = time.perf_counter() - started
        log(f"  book ledger: {timings['ledger']:.1f} s")
    with _connect(database, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
        timings["vacuum_analyze"] = time.perf_counter() - started
    figures = book_figures(database, day=day)
    figures["build_s"] = {key: round(value, 1) for key, value in timings.items()}
    figures["build_total_s"] = round(time.perf_counter() - began, 1)
    return figures


def book_figures(database: str, *, day: dt.date = BOOK_DAY) -> dict[str, Any]:
    with _connect(database) as conn:
        row = one(conn, _BOOK_FIGURES_SQL, {"day": day})
        aging: dict[str, int] = dict(conn.execute(_AGING_SQL, {"day": day}).fetchall())
        size = one(conn, "SELECT pg_database_size(current_database())")[0]
    names = (
        "loans",
        "micro_loans",
        "loans_of_360_months",
        "installments",
        "installments_paid",
        "installments_accruing",
        "installments_due_on_day",
        "installments_due_next_day",
        "installments_due",
        "installments_overdue",
        "journal_transactions",
        "journal_lines",
        "first_draw",
        "last_draw",
    )
    figures: dict[str, Any] = dict(zip(names, row, strict=True))
    figures["first_draw"] = str(figures["first_draw"])
    figures["last_draw"] = str(figures["last_draw"])
    figures["loans_overdue_by_aging_bucket"] = aging
    figures["database_mb"] = round(size / 1024 / 1024)
    figures["business_date"] = str(day)
    return figures


def book_copy(
    database: str = DATABASE,
    *,
    loans: int,
    day: dt.date = BOOK_DAY,
    template: str = "",
    log: Any = print,
) -> dict[str, Any]:
    """`database` as a fresh copy of the book of `loans` loans (built once, as the template
    database `template`, by default `<database>_tpl_<loans>`). Returns the book's figures
    (with how long the template took, when it was built now)."""
    template = template or f"{database}_tpl_{loans}"
    digest = f"close book {_digest()} {day}"
    with _connect("postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template],
        ).fetchone()
    figures: dict[str, Any] = {}
    if row is None or row[0] is None or not row[0].startswith(digest):
        log(f"building the book of {loans:,} loans (template {template})")
        figures = build(template, loans=loans, day=day, log=log)
        with _connect("postgres", autocommit=True) as conn:
            comment = f"{digest} {json.dumps(figures)}"
            conn.execute(f"COMMENT ON DATABASE \"{template}\" IS '{comment}'")
    else:
        figures = json.loads(row[0][len(digest) + 1 :])
    started = time.perf_counter()
    _drop_database(database)
    with _connect("postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    figures["copy_s"] = round(time.perf_counter() - started, 1)
    return figures


def drop(database: str) -> None:
    _drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--template", default="", help="the template database's name")
    parser.add_argument("--drop", action="store_true", help="drop --database and --template")
    args = parser.parse_args()
    if args.drop:
        for name in (args.database, args.template):
            if name:
                drop(name)
        return
    figures = book_copy(
        args.database,
        loans=args.loans,
        template=args.template,
        log=lambda s: print(s, file=sys.stderr),
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
