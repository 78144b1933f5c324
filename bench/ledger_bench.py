"""The ledger's guards at scale (PostgreSQL): what the statement-level balance guard costs.

    python bench/ledger_bench.py [--transactions 1000000] [--batch 10000]

Makes a fresh database `microlend_bench` (as the owner role), migrates it, then, connected
as the application role as in production:
- posts N two-line journal transactions through the set-based path
  (`ledger.services.journal_entries_post`, guards on), `--batch` transactions per call and
  per database transaction;
- inserts the same rows, with the same statement, into a copy of the two ledger tables
  with the same columns, keys, indexes and foreign key but no triggers (the floor);
- posts single transactions of 10k, 20k and 40k lines, to show the guard is linear in the
  size of a transaction (the old per-row trigger re-summed the transaction for every line).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = os.environ.get("BENCH_PGHOST", "127.0.0.1")
OWNER = os.environ.get("BENCH_OWNER", "microlend_owner")
APP = os.environ.get("BENCH_APP", "microlend_app")
DB = os.environ.get("BENCH_DATABASE", "microlend_bench")
DAY = dt.date(2024, 5, 10)


def fresh_database() -> None:
    with psycopg.connect(host=HOST, user=OWNER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"postgres://{OWNER}@{HOST}:5432/{DB}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # The floor: copies of the ledger tables with their keys, indexes and foreign keys but
    # none of the guards (made by the owner; the application role may only write rows).
    with psycopg.connect(host=HOST, user=OWNER, dbname=DB, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE floor_txn (LIKE ledger_journaltransaction INCLUDING ALL);"
            "CREATE TABLE floor_line (LIKE ledger_journalline INCLUDING ALL);"
            "ALTER TABLE floor_line ADD FOREIGN KEY (transaction_id) REFERENCES floor_txn (id) "
            "DEFERRABLE INITIALLY DEFERRED;"
            "ALTER TABLE floor_line ADD FOREIGN KEY (account_id) REFERENCES ledger_account (id) "
            "DEFERRABLE INITIALLY DEFERRED;"
            f'GRANT SELECT, INSERT ON floor_txn, floor_line TO "{APP}";'
            f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{APP}";'
        )


def django_as_app() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"postgres://{APP}@{HOST}:5432/{DB}"
    import django

    django.setup()


def entries(start: int, count: int, prefix: str) -> list[Any]:
    from ledger.accounts import AccountCode
    from ledger.services import JournalEntry, credit, debit

    amount = Decimal("1.00")
    return [
        JournalEntry(
            idempotency_key=f"{prefix}:{n}",
            kind="adjustment",
            business_date=DAY,
            postings=[
                debit(AccountCode.SETTLEMENT_BANK, amount + n % 100),
                credit(AccountCode.LENDING_CAPITAL, amount + n % 100),
            ],
        )
        for n in range(start, start + count)
    ]


def post_guarded(start: int, count: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from ledger.services import journal_entries_post

    chunk = entries(start, count, "guarded")
    began = time.perf_counter()
    with transaction.atomic():
        journal_entries_post(entries=chunk, now=timezone.now())
    return time.perf_counter() - began


def post_floor(start: int, count: int) -> float:
    """The same rows and statement into trigger-less copies of the tables."""
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from ledger import services

    sql = services._INSERT_SQL.replace("ledger_journaltransaction", "floor_txn").replace(
        "ledger_journalline", "floor_line"
    )
    chunk = entries(start, count, "floor")
    began = time.perf_counter()
    now = timezone.now()
    params = [
        [uuid.uuid4() for _ in chunk],
        [e.idempotency_key for e in chunk],
        [e.kind for e in chunk],
        [e.business_date for e in chunk],
        [now] * len(chunk),
        [e.description for e in chunk],
        [e.reverses_id for e in chunk],
        [e.idempotency_key for e in chunk for _ in e.postings],
        [str(p.account) for e in chunk for p in e.postings],
        [p.amount for e in chunk for p in e.postings],
        [p.loan_id for e in chunk for p in e.postings],
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        for e in chunk:  # the same validation the service does
            services.journal_entry_validate(e)
    return time.perf_counter() - began


def one_big_transaction(lines: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from ledger.accounts import AccountCode
    from ledger.services import JournalEntry, credit, debit, journal_entries_post

    postings = [debit(AccountCode.SETTLEMENT_BANK, Decimal("0.01")) for _ in range(lines - 1)]
    postings.append(credit(AccountCode.LENDING_CAPITAL, Decimal("0.01") * (lines - 1)))
    entry = JournalEntry(
        idempotency_key=f"big:{lines}", kind="adjustment", business_date=DAY, postings=postings
    )
    began = time.perf_counter()
    with transaction.atomic():
        journal_entries_post(entries=[entry], now=timezone.now())
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    fresh_database()
    django_as_app()
    # Batches alternate between the two, so drift in the machine's load hits both alike.
    floor = guarded = 0.0  # float-ok: seconds
    for start in range(0, args.transactions, args.batch):
        count = min(args.batch, args.transactions - start)
        floor += post_floor(start, count)
        guarded += post_guarded(start, count)
    big = {lines: one_big_transaction(lines) for lines in (10_000, 20_000, 40_000)}
    print(
        json.dumps(
            {
                "transactions": args.transactions,
                "batch": args.batch,
                "guarded_s": round(guarded, 2),
                "floor_s": round(floor, 2),
                "ratio": round(guarded / floor, 2),
                "guarded_per_s": round(args.transactions / guarded),
                "one_transaction_s": {str(k): round(v, 2) for k, v in big.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
