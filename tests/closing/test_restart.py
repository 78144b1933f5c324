"""A close killed half-way and run again ends exactly where an uninterrupted close ends
(DOMAIN.md §7, docs/close-of-business.md "Restartable, idempotent").

Two copies of the same book of 2,000 loans (bench/close_book.py) in real PostgreSQL
databases named after TEST_DATABASE_URL's: on one `manage.py close_business_day` runs to
the end; on the other it is started, SIGKILLed once some chunks are done, and started
again. Both must end with the same loans, installments, records, notices, collections and
journal, a clean reconciliation, and the day closed once.

To kill it at a known point, the test holds a row lock on the live installments of the
second half of the book before the killed run starts: the chunks of the first half are
done, the first chunk of the second half waits on the lock, and the process is killed
there (its transaction never commits). The lock is released before the rerun.
"""

# ruff: noqa: S603 - the subprocesses are this repository's own commands
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LOANS = 2_000
CHUNK = 100
HELD_FROM = 1_001  # the first loan of the chunk the killed run waits on

_URL = urlsplit(
    os.environ.get("TEST_DATABASE_URL", "postgres://microlend_app@127.0.0.1:5432/microlend")
)
_OWNER_URL = urlsplit(
    os.environ.get("TEST_DATABASE_OWNER_URL", "postgres://microlend_owner@127.0.0.1:5432/microlend")
)
_BASE = _URL.path.lstrip("/")
FULL = f"{_BASE}_restart_full"
KILLED = f"{_BASE}_restart_killed"
TEMPLATE = f"{_BASE}_restart_tpl"


def _url(database: str) -> str:
    return _URL._replace(path=f"/{database}").geturl()


def _book_env() -> dict[str, str]:
    return {
        **os.environ,
        "BENCH_PGHOST": _OWNER_URL.hostname or "127.0.0.1",
        "BENCH_PGPORT": str(_OWNER_URL.port or 5432),
        "BENCH_OWNER": _OWNER_URL.username or "microlend_owner",
        "BENCH_APP": _URL.username or "microlend_app",
    }


def _book(*args: str) -> None:
    subprocess.run(
        [sys.executable, "bench/close_book.py", "--template", TEMPLATE, *args],
        cwd=ROOT,
        env=_book_env(),
        check=True,
        capture_output=True,
    )


def _close_env(database: str, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": _url(database),
        # The follow-up tasks the close queues are not run here.
        "CELERY_BROKER_URL": "memory://",
        "MICROLEND_DATA_DIR": data_dir,
        "MICROLEND_CLOSE_CHUNK_SIZE": str(CHUNK),
        "MICROLEND_CLOSE_WORKERS": "inline",
    }


def _command(database: str, data_dir: str, *args: str) -> list[str]:
    return [sys.executable, "manage.py", "close_business_day", *args]


@pytest.fixture(scope="module")
def books() -> Iterator[tuple[str, str]]:
    for database in (FULL, KILLED):
        _book("--loans", str(LOANS), "--database", database)
    yield FULL, KILLED
    for database in (FULL, KILLED, TEMPLATE):
        _book("--drop", "--database", database)


def _query(database: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(_url(database)) as conn:
        return conn.execute(sql).fetchall()


def _chunks(database: str) -> tuple[int, int]:
    rows = _query(
        database,
        "SELECT COUNT(*) FILTER (WHERE c.state = 'done'), COUNT(*) FROM common_closechunk c"
        " JOIN common_closestep s ON s.id = c.step_id WHERE s.step = 'loans'",
    )
    return int(rows[0][0]), int(rows[0][1])


# What the close changed, without the columns that differ by construction (random public
# ids of new rows, the instants they were written at, surrogate ids of new rows).
STATE_QUERIES = {
    "calendar": 'SELECT "current_date", state FROM common_businesscalendar',
    "runs": "SELECT business_date, state FROM common_closerun ORDER BY business_date",
    "date_changes": "SELECT from_date, to_date, source FROM common_businessdatechange",
    "chunks": (
        "SELECT c.first_loan_id, c.last_loan_id, c.state, c.loans, c.rows_written,"
        " c.failed_loans, c.counts FROM common_closechunk c"
        " JOIN common_closestep s ON s.id = c.step_id WHERE s.step = 'loans'"
        " ORDER BY c.first_loan_id"
    ),
    # The follow-up work queued after the close (its chunks are ranges of surrogate ids).
    "followups": (
        "SELECT s.step, s.chunks_total FROM common_closestep s"
        " WHERE s.step IN ('send_reminders', 'send_collections', 'send_notices')"
        " ORDER BY s.step"
    ),
    "loans": (
        "SELECT id, status, principal_outstanding, oldest_unpaid_due_date, close_pending_from"
        " FROM loans_loan ORDER BY id"
    ),
    "installments": (
        "SELECT loan_id, number, status, accruing, principal_paid, interest_paid,"
        " penalty_paid, compound_paid, paid_date, interest_span_start_date,"
        " interest_accrued_before_span, penalty_span_start_date, penalty_accrued_before_span,"
        " compound_span_start_date, compound_accrued_before_span"
        " FROM loans_installment ORDER BY loan_id, number"
    ),
    "overdue_records": (
        "SELECT r.loan_id, i.number, r.due_date, r.overdue_from, r.principal_overdue,"
        " r.interest_overdue FROM repayments_overduerecord r"
        " JOIN loans_installment i ON i.id = r.installment_id ORDER BY r.loan_id, i.number"
    ),
    "credit_reports": (
        "SELECT o.loan_id, c.state, c.notified_on, c.report_after"
        " FROM repayments_creditreportrecord c"
        " JOIN repayments_overduerecord o ON o.id = c.overdue_record_id ORDER BY o.loan_id,"
        " o.due_date"
    ),
    "notifications": (
        "SELECT user_id, kind, context, link, dedupe_key FROM notifications_notification"
        " ORDER BY dedupe_key"
    ),
    "collections": (
        "SELECT loan_id, kind, status, amount, idempotency_key, business_date"
        " FROM repayments_repayment ORDER BY idempotency_key"
    ),
    "journal": (
        "SELECT t.idempotency_key, t.kind, t.business_date, a.code, l.amount, l.loan_id"
        " FROM ledger_journalline l JOIN ledger_journaltransaction t ON t.id = l.transaction_id"
        " JOIN ledger_account a ON a.id = l.account_id"
        " ORDER BY t.idempotency_key, a.code, l.loan_id NULLS FIRST"
    ),
    "account_totals": (
        "SELECT a.code, SUM(l.amount) FROM ledger_journalline l"
        " JOIN ledger_account a ON a.id = l.account_id GROUP BY a.code ORDER BY a.code"
    ),
}


def _state(database: str) -> dict[str, list[tuple[Any, ...]]]:
    return {name: _query(database, sql) for name, sql in STATE_QUERIES.items()}


def _reconciliation_clean(database: str, data_dir: str) -> str:
    code = (
        "from common.selectors import business_date_get;"
        "from loans.reconciliation import ledger_reconcile;"
        "r = ledger_reconcile(business_date=business_date_get());"
        "print('clean' if r.is_clean else r)"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_close_env(database, data_dir),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_close_killed_half_way_and_run_again_ends_as_an_uninterrupted_one(
    books: tuple[str, str],
) -> None:
    full, killed = books
    data_dir = tempfile.mkdtemp(prefix="close-restart-")
    business_date = _query(full, 'SELECT "current_date" FROM common_businesscalendar')[0][0]
    assert _reconciliation_clean(full, data_dir) == "clean"

    # The uninterrupted close.
    subprocess.run(
        _command(full, data_dir),
        cwd=ROOT,
        env=_close_env(full, data_dir),
        check=True,
        capture_output=True,
    )
    done, total = _chunks(full)
    assert total == LOANS // CHUNK
    assert done == total

    # The killed close: the second half of the book is held, so the run stops there.
    holder = psycopg.connect(_url(killed))
    held = holder.execute(
        "SELECT id FROM loans_installment WHERE loan_id >= %s"
        " AND (accruing OR status IN ('due', 'overdue')) FOR UPDATE",
        [HELD_FROM],
    ).fetchall()
    assert held
    process = subprocess.Popen(
        _command(killed, data_dir),
        cwd=ROOT,
        env=_close_env(killed, data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _chunks(killed)[0] < (HELD_FROM - 1) // CHUNK:
            assert process.poll() is None, "the close ended before it reached the held loans"
            assert time.monotonic() < deadline, "the close did not reach the held loans"
            time.sleep(0.05)  # float-ok: seconds
        # It is now waiting on the lock, inside the chunk's transaction.
        time.sleep(0.5)  # float-ok: seconds
        assert process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        holder.rollback()
        holder.close()
    done, total = _chunks(killed)
    assert (done, total) == ((HELD_FROM - 1) // CHUNK, LOANS // CHUNK)
    assert _query(killed, 'SELECT "current_date" FROM common_businesscalendar')[0][0] == (
        business_date
    )

    # Started again: it resumes where it stopped and finishes the day.
    rerun = subprocess.run(
        _command(killed, data_dir),
        cwd=ROOT,
        env=_close_env(killed, data_dir),
        check=True,
        capture_output=True,
        text=True,
    )
    assert f"closed {business_date} (completed)" in rerun.stdout
    assert _chunks(killed) == (LOANS // CHUNK, LOANS // CHUNK)

    full_state, killed_state = _state(full), _state(killed)
    for name in STATE_QUERIES:
        assert killed_state[name] == full_state[name], name
    # The day was closed once, the next one is open, and the ledger agrees with the loans.
    assert len(full_state["runs"]) == 1
    assert full_state["runs"][0][1] == "completed"
    assert len(full_state["date_changes"]) == 1
    assert full_state["calendar"][0][0] == business_date + (
        full_state["date_changes"][0][1] - full_state["date_changes"][0][0]
    )
    # The close did something on every table compared.
    assert full_state["overdue_records"]
    assert full_state["notifications"]
    assert full_state["collections"]
    assert full_state["followups"]
    assert _reconciliation_clean(full, data_dir) == "clean"
    assert _reconciliation_clean(killed, data_dir) == "clean"

    # Running the same date again changes nothing.
    again = subprocess.run(
        [*_command(killed, data_dir), "--until", str(business_date)],
        cwd=ROOT,
        env=_close_env(killed, data_dir),
        check=True,
        capture_output=True,
        text=True,
    )
    assert "closed" not in again.stdout.replace("closing", "")
    assert _state(killed) == killed_state
