"""The close of business at scale (PostgreSQL): one close of a day over a book of N open
loans (bench/close_book.py), with the figures the close-of-business issue asks for.

    python bench/close_bench.py [--loans 1000000] [--orm-sample 10000] [--quick]

Every figure comes from the same run, each measurement in a fresh process on a fresh copy
of the book (CREATE DATABASE ... TEMPLATE), connected as the application role:

- the close (`closing.services.business_day_close` of the book's day, every step and
  posting included): wall time, loans per second, seconds and rows written per step, the
  peak RSS of the process, and `ledger_reconcile` on the next day (must be clean);
- the floor: bench/close_floor.sql, the bare statements that make the same row changes,
  with no framework around them, and the close's time as a multiple of it;
- the per-loan ORM loop (`closing/python.py`, what the embedded SQLite default runs) over
  the first `--orm-sample` loans, against the set-based statements over the same loans
  (both rolled back), with their totals compared;
- the close with 1 and with 2 Celery worker processes (MICROLEND_CLOSE_WORKERS=celery,
  Redis db BENCH_REDIS_DB, default 4);
- peak RSS of the close at N and at N / 10 (a smaller book);
- three missed days caught up (`business_days_close_until`) against closing one.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import close_book  # noqa: E402

PYTHON = sys.executable
DATABASE = close_book.DATABASE
DAY = close_book.BOOK_DAY
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "4")
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
# How the measured close runs its chunks: over 2 connections of the closing process
# ("threads", one per core of this machine, MICROLEND_CLOSE_THREADS); one after another on
# one connection ("inline") is measured apart.
CLOSE_WORKERS = os.environ.get("BENCH_CLOSE_WORKERS", "threads")
OTHER_WORKERS = "threads" if CLOSE_WORKERS == "inline" else "inline"
# Chunks of each follow-up step run after the main close, to time their work.
FOLLOWUP_SAMPLE = int(os.environ.get("BENCH_FOLLOWUP_CHUNKS", "2"))
FLOOR_SQL = ROOT / "bench" / "close_floor.sql"
# The instant the benchmark's close runs at (after the book's day has ended).
NOW = dt.datetime(2026, 11, 20, 0, 30, tzinfo=dt.UTC)
PG_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "max_wal_size",
    "synchronous_commit",
    "fsync",
    "wal_level",
    "max_parallel_workers_per_gather",
    "jit",
    "random_page_cost",
    "checkpoint_timeout",
)


def _env(database: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": close_book.database_url(database),
        "REDIS_URL": REDIS_URL,
        "MICROLEND_DATA_DIR": os.environ.get("BENCH_DATA_DIR", tempfile.gettempdir()),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MICROLEND_SMS_SENDER": "common.sms.LocmemSmsSender",
        **extra,
    }


def _child(mode: str, database: str, *args: str, **extra: str) -> dict[str, Any]:
    """Run a measurement in a fresh process (its own peak RSS) and read its JSON."""
    done = subprocess.run(
        [PYTHON, __file__, "--child", mode, "--database", database, *args],
        cwd=ROOT,
        env=_env(database, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- measurements, each in its own process ---------------------------------------------


def _setup() -> None:
    import django

    django.setup()


def _peak_rss_mb() -> float:  # float-ok: megabytes, a measurement
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child_close(database: str, until: str | None, *, reconcile: bool = True) -> dict[str, Any]:
    """One close of the book's day (or every day through `until`), timed, then checked."""
    _setup()
    import closing.services
    from closing.services import business_day_close, business_days_close_until
    from common.models import CloseRun, CloseStep
    from common.selectors import business_date_get

    # Timed apart (not changed): the queueing of the follow-up tasks that
    # business_day_close does once the next day is open (collections to send, the
    # notices' deliveries).
    followups: list[float] = []
    dispatch = closing.services.close_followups_dispatch  # type: ignore[attr-defined]

    def timed_dispatch(**kwargs: Any) -> dict[str, int]:
        started = time.perf_counter()
        counts = dispatch(**kwargs)
        followups.append(time.perf_counter() - started)
        return counts

    closing.services.close_followups_dispatch = timed_dispatch  # type: ignore[attr-defined]
    rss_before = _peak_rss_mb()
    began = time.perf_counter()
    runs: list[CloseRun | None]
    if until is None:
        runs = [business_day_close(business_date=DAY, now=NOW, source=CloseRun.Source.COMMAND)]
    else:
        runs = list(business_days_close_until(until=dt.date.fromisoformat(until), now=NOW))
    wall = time.perf_counter() - began
    rss_after = _peak_rss_mb()
    steps = []
    for run in runs:
        assert run is not None
        assert run.state == "completed", run.error
        for step in CloseStep.objects.filter(run=run).order_by("position"):
            steps.append(
                {
                    "date": str(run.business_date),
                    "step": step.step,
                    "ms": step.duration_ms,
                    "rows_written": step.rows_written,
                    "chunks": step.chunks_total,
                    "counts": step.counts,
                }
            )
    result: dict[str, Any] = {
        "wall_s": round(wall, 2),
        "followups_s": round(sum(followups), 2),
        "until_next_day_open_s": round(wall - sum(followups), 2),
        "business_date_after": str(business_date_get()),
        "steps": steps,
        "peak_rss_mb_before_close": rss_before,
        "peak_rss_mb": rss_after,
    }
    if reconcile:
        result.update(_reconciled())
    if FOLLOWUP_SAMPLE and until is None and runs[0] is not None:
        result["followups"] = _followups_sampled(runs[0].pk)
        if reconcile:
            after = _reconciled()
            result["followups"]["reconciliation_clean"] = after["reconciliation_clean"]
    return result


def _followups_sampled(run_id: int) -> dict[str, Any]:
    """The first FOLLOWUP_SAMPLE chunks of each follow-up step of the run, run here one
    after another (the simulated gateway; e-mails and texts to in-memory outboxes): their
    work per second. Every chunk of a night is too long for a benchmark run in one process
    (31,000 collections); the workers share them in production."""
    from closing.followups import FOLLOW_UPS, followup_chunk_run
    from common.models import CloseChunk

    figures: dict[str, Any] = {}
    for name in FOLLOW_UPS:
        chunks = CloseChunk.objects.filter(step__run_id=run_id, step__step=name)
        ids = list(chunks.order_by("first_loan_id").values_list("pk", flat=True)[:FOLLOWUP_SAMPLE])
        totals: dict[str, int] = {}
        began = time.perf_counter()
        for chunk_id in ids:
            for key, value in (followup_chunk_run(chunk_id=chunk_id) or {}).items():
                totals[key] = totals.get(key, 0) + value
        seconds = time.perf_counter() - began
        figures[name] = {
            "chunks": len(ids),
            "chunks_total": chunks.count(),
            "seconds": round(seconds, 2),
            **totals,
            "per_second": {k: round(v / seconds) for k, v in totals.items()} if seconds else {},
        }
    return figures


def _reconciled() -> dict[str, Any]:
    from common.selectors import business_date_get
    from loans.reconciliation import ledger_reconcile

    began = time.perf_counter()
    reconciliation = ledger_reconcile(business_date=business_date_get())
    return {
        "reconciliation_clean": reconciliation.is_clean,
        "reconciliation": {
            str(line.account): [str(line.ledger), str(line.derived)]
            for line in reconciliation.lines
        },
        "loans_out_of_balance": len(reconciliation.loans_out_of_balance),
        "trial_balance_difference": str(reconciliation.trial_balance_difference),
        "reconcile_s": round(time.perf_counter() - began, 2),
    }


def child_reconcile(database: str) -> dict[str, Any]:
    _setup()
    return _reconciled()


def child_orm(database: str, sample: int) -> dict[str, Any]:
    """The loan-by-loan ORM path against the set-based statements, over the same loans,
    both inside transactions that are rolled back."""
    _setup()
    from django.db import transaction

    from closing import chunks
    from closing.python import chunk_close_python

    class Rollback(Exception):
        pass

    results: dict[str, Any] = {}
    for name in ("sql", "orm"):
        began = time.perf_counter()
        try:
            with transaction.atomic():
                if name == "orm":
                    totals = chunk_close_python(day=DAY, first=1, last=sample, now=NOW)
                else:
                    totals = chunks._statements(
                        chunks.statement_params(DAY, 1, sample, NOW, [], ())
                    )
                elapsed = time.perf_counter() - began
                raise Rollback
        except Rollback:
            pass
        results[name] = {
            "s": round(elapsed, 3),
            "interest": str(totals.interest),
            "penalty": str(totals.penalty),
            "compound": str(totals.compound),
            "counts": totals.counts,
        }
    results["sample"] = sample
    results["same_figures"] = all(
        results["sql"][key] == results["orm"][key]
        for key in ("interest", "penalty", "compound", "counts")
    )
    results["ratio"] = round(results["orm"]["s"] / results["sql"]["s"], 1)
    return results


# --- the floor -----------------------------------------------------------------------


def floor_run(database: str) -> dict[str, Any]:
    """bench/close_floor.sql, statement by statement, as the application role."""
    text = FLOOR_SQL.read_text(encoding="utf-8")
    parts = [p.strip() for p in text.split("\n-- statement:") if p.strip()]
    statements = []
    for part in parts[1:]:
        name, _, body = part.partition("\n")
        statements.append((name.strip(), body.strip()))
    params = {
        "day": DAY,
        "next": DAY + dt.timedelta(days=1),
        "now": NOW,
        "notice_days": 7,
    }
    timings: dict[str, Any] = {}
    began = time.perf_counter()
    with psycopg.connect(close_book.database_url(database)) as conn:
        for name, body in statements:
            started = time.perf_counter()
            row = conn.execute(body, params).fetchone()
            timings[name] = {
                "ms": round((time.perf_counter() - started) * 1000),
                "result": [str(value) for value in row] if row else [],
            }
        conn.commit()
    return {"wall_s": round(time.perf_counter() - began, 2), "statements": timings}


# --- Celery workers ------------------------------------------------------------------


def with_workers(database: str, workers: int) -> dict[str, Any]:
    """The close with `workers` Celery worker processes taking the chunks."""
    subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=True, capture_output=True)
    env = _env(database, MICROLEND_CLOSE_WORKERS="celery")
    log_path = Path(tempfile.gettempdir()) / f"close-bench-worker-{workers}.log"
    log = log_path.open("w")
    worker = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(workers),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(4)
        result = _child(
            "close",
            database,
            "--no-reconcile",
            MICROLEND_CLOSE_WORKERS="celery",
            BENCH_FOLLOWUP_CHUNKS="0",
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
        subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=False, capture_output=True)
    # Checked once the workers have stopped: after the close they take the follow-up tasks
    # it queued (collections that move money), and the reconciliation's queries would read
    # the ledger and the loans at different moments of a payment.
    result.update(_child("reconcile", database))
    result["workers"] = workers
    return result


def pg_settings(database: str) -> dict[str, str]:
    with psycopg.connect(close_book.database_url(database)) as conn:
        rows = conn.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", [list(PG_SETTINGS)]
        ).fetchall()
        version = close_book.one(conn, "SHOW server_version")[0]
    settings = {name: f"{value}{' ' + unit if unit else ''}" for name, value, unit in rows}
    settings["server_version"] = version
    return settings


def _loans_step(close: dict[str, Any]) -> dict[str, Any]:
    return next(step for step in close["steps"] if step["step"] == "loans")


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--loans", type=int, default=int(os.environ.get("BENCH_CLOSE_N", 1_000_000))
    )
    parser.add_argument("--small", type=int, default=0, help="the second N (default N / 10)")
    parser.add_argument("--orm-sample", type=int, default=10_000)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument(
        "--skip", default="", help="comma-separated: threads,floor,orm,workers,memory,catchup"
    )
    parser.add_argument("--child", default="")
    parser.add_argument("--until", default=None)
    parser.add_argument("--no-reconcile", action="store_true")
    args = parser.parse_args()
    if args.child == "close":
        print(json.dumps(child_close(args.database, args.until, reconcile=not args.no_reconcile)))
        return
    if args.child == "reconcile":
        print(json.dumps(child_reconcile(args.database)))
        return
    if args.child == "orm":
        print(json.dumps(child_orm(args.database, args.orm_sample)))
        return
    skip = set(filter(None, args.skip.split(",")))
    db = args.database
    n = args.loans
    small = args.small or max(1000, n // 10)
    figures: dict[str, Any] = {
        "loans": n,
        "business_date": str(DAY),
        "measured_at": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
        "load_average_start": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }

    figures["book"] = close_book.book_copy(db, loans=n, log=log)
    figures["postgresql"] = pg_settings(db)
    log(f"close of {DAY} over {n:,} loans")
    close = _child("close", db, MICROLEND_CLOSE_WORKERS=CLOSE_WORKERS)
    close["workers"] = CLOSE_WORKERS
    figures["close"] = close
    figures["loans_per_s"] = round(n / close["wall_s"])
    log(f"  {close['wall_s']} s, reconciliation clean: {close['reconciliation_clean']}")

    if "threads" not in skip:
        close_book.book_copy(db, loans=n, log=log)
        log(f"close with MICROLEND_CLOSE_WORKERS={OTHER_WORKERS}")
        other = _child(
            "close",
            db,
            "--no-reconcile",
            MICROLEND_CLOSE_WORKERS=OTHER_WORKERS,
            BENCH_FOLLOWUP_CHUNKS="0",
        )
        figures["other_workers"] = {
            "workers": OTHER_WORKERS,
            "wall_s": other["wall_s"],
            "loans_step_s": _loans_step(other)["ms"] / 1000,
            "ratio": round(other["wall_s"] / close["wall_s"], 2),
        }
        log(f"  {other['wall_s']} s")

    if "floor" not in skip or "orm" not in skip:
        copy = close_book.book_copy(db, loans=n, log=log)
        if "orm" not in skip:
            log(f"ORM loop over {args.orm_sample:,} loans")
            orm = _child("orm", db, "--orm-sample", str(args.orm_sample))
            per_loan_sql = close["wall_s"] / n
            orm["close_per_loan_us"] = round(per_loan_sql * 1e6, 1)
            orm["orm_per_loan_us"] = round(orm["orm"]["s"] / args.orm_sample * 1e6, 1)
            orm["ratio_orm_to_close"] = round(orm["orm"]["s"] / args.orm_sample / per_loan_sql, 1)
            figures["orm"] = orm
            log(f"  ORM {orm['orm']['s']} s, ratio to the close {orm['ratio_orm_to_close']}x")
        if "floor" not in skip:
            log("floor")
            floor = floor_run(db)
            floor["copy_s"] = copy["copy_s"]
            figures["floor"] = floor
            figures["ratio_close_to_floor"] = round(close["wall_s"] / floor["wall_s"], 2)
            figures["ratio_loans_step_to_floor"] = round(
                _loans_step(close)["ms"] / 1000 / floor["wall_s"], 2
            )
            log(f"  floor {floor['wall_s']} s, close / floor {figures['ratio_close_to_floor']}x")

    if "workers" not in skip:
        runs = {}
        for workers in (1, 2):
            close_book.book_copy(db, loans=n, log=log)
            log(f"close on {workers} Celery worker process(es)")
            runs[workers] = with_workers(db, workers)
            log(f"  {runs[workers]['wall_s']} s")
        figures["workers"] = {
            "one_s": runs[1]["wall_s"],
            "two_s": runs[2]["wall_s"],
            "loans_step_one_s": _loans_step(runs[1])["ms"] / 1000,
            "loans_step_two_s": _loans_step(runs[2])["ms"] / 1000,
            "speedup": round(runs[1]["wall_s"] / runs[2]["wall_s"], 2),
            "reconciliation_clean": runs[1]["reconciliation_clean"]
            and runs[2]["reconciliation_clean"],
        }

    if "catchup" not in skip:
        close_book.book_copy(db, loans=n, log=log)
        log("three missed days")
        three = _child(
            "close",
            db,
            "--until",
            str(DAY + dt.timedelta(days=2)),
            MICROLEND_CLOSE_WORKERS=CLOSE_WORKERS,
        )
        figures["catch_up"] = {
            "days": 3,
            "wall_s": three["wall_s"],
            "one_day_s": close["wall_s"],
            "ratio": round(three["wall_s"] / close["wall_s"], 2),
            "reconciliation_clean": three["reconciliation_clean"],
            "business_date_after": three["business_date_after"],
            "per_day_loans_step_s": [
                step["ms"] / 1000 for step in three["steps"] if step["step"] == "loans"
            ],
        }

    if "memory" not in skip:
        small_db = f"{db}_small"
        close_book.book_copy(small_db, loans=small, log=log)
        log(f"close of {small:,} loans (memory)")
        small_close = _child(
            "close", small_db, MICROLEND_CLOSE_WORKERS=CLOSE_WORKERS, BENCH_FOLLOWUP_CHUNKS="0"
        )
        close_book.drop(small_db)
        figures["memory"] = {
            "n_large": n,
            "peak_rss_mb_large": close["peak_rss_mb"],
            "n_small": small,
            "peak_rss_mb_small": small_close["peak_rss_mb"],
            "wall_s_small": small_close["wall_s"],
            "reconciliation_clean_small": small_close["reconciliation_clean"],
        }
    close_book.drop(db)
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
