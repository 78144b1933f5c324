"""The API under load (PostgreSQL, Redis, gunicorn with the production settings).

    python bench/api_bench.py [--borrowers 300] [--seconds 20] [--connections 16]

Makes a fresh database `microlend_bench_api` (migrated as the owner role), builds a book of
borrowers with a token and a disbursed micro-loan each (`bench/api_book.py`), starts gunicorn
on `bench.api_settings` (production's settings, connected as the application role, Redis as
the cache) and drives it with wrk (`bench/api_load.lua`): 16 connections spread over every
borrower, for a bounded time, against
  (a) the ceiling: a DRF endpoint behind the same authentication and permission that reads
      nothing (`bench/api_urls.py`);
  (b) the borrower's loan list and a loan's detail;
  (c) a repayment of 1.00 with a new idempotency key per request (through the simulated
      gateway; beyond what is due it is held as the borrower's overpayment).
Each answer that is not 2xx counts as a failure. The throttle profile is production's own:
no borrower endpoint here has a rate, and requests are spread so no borrower sends more
than a few a second. At the end the ledger is reconciled with the loans. Prints one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST = os.environ.get("BENCH_PGHOST", "127.0.0.1")
OWNER = os.environ.get("BENCH_OWNER", "microlend_owner")
APP = os.environ.get("BENCH_APP", "microlend_app")
DB = os.environ.get("BENCH_API_DATABASE", "microlend_bench_api")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = int(os.environ.get("BENCH_API_PORT", "0")) or _free_port()
# gunicorn as the deployment guide runs it on a 2-core machine.
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "4"))
SCENARIOS = ("ping", "list", "detail", "repayment")


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SECRET_KEY": "bench-" + "k" * 60,
        "FIELD_ENCRYPTION_SALT_KEYS": "bench-salt-" + "s" * 30,
        "FACE_DATA_KEYS": "ZmFjZS1kYXRhLWJlbmNoLWtleS0zMi1ieXRlcyEhISE=",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": REDIS,
        "LOG_LEVEL": "WARNING",
        "PRIVATE_STORAGE_ROOT": str(Path(tempfile.gettempdir()) / "microlend-bench-private"),
        **extra,
    }


def fresh_database() -> None:
    with psycopg.connect(host=HOST, user=OWNER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_env(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_DEBUG="false",
            DATABASE_URL=f"postgres://{OWNER}@{HOST}:5432/{DB}",
        ),
        check=True,
    )


def build_book(borrowers: int, folder: Path) -> Path:
    out = folder / "book.json"
    subprocess.run(
        [sys.executable, "bench/api_book.py", "--borrowers", str(borrowers), "--out", str(out)],
        cwd=ROOT,
        env=_env(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_DEBUG="false",
            DATABASE_URL=f"postgres://{APP}@{HOST}:5432/{DB}",
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    book = json.loads(out.read_text())
    lines = folder / "book.txt"
    lines.write_text(
        "".join(f"{t} {loan}\n" for t, loan in zip(book["tokens"], book["loans"], strict=True))
    )
    return lines


def start_gunicorn() -> subprocess.Popen[bytes]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return subprocess.Popen(
        [
            gunicorn,
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--threads",
            str(GUNICORN_THREADS),
            "--log-level",
            "warning",
            "--error-logfile",
            str(Path(tempfile.gettempdir()) / "microlend-bench-gunicorn.log"),
        ],
        cwd=ROOT,
        env=_env(
            DJANGO_SETTINGS_MODULE="bench.api_settings",
            DATABASE_URL=f"postgres://{APP}@{HOST}:5432/{DB}",
        ),
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_ready(server: subprocess.Popen[bytes], token: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/bench/ping/",
        headers={"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"},
    )
    for _ in range(600):  # booting workers on a loaded machine can take a minute
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310 (our http URL)
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)  # float-ok: poll interval
    raise RuntimeError("gunicorn did not answer")


def wrk(scenario: str, *, book: Path, seconds: int, connections: int) -> dict[str, Any]:
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "api_load.lua"),
            f"http://127.0.0.1:{PORT}",
        ],
        env={**os.environ, "SCENARIO": scenario, "BENCH_BOOK": str(book)},
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["per_second"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


def reconcile() -> dict[str, Any]:
    code = (
        "import django, json; django.setup();"
        "from common.selectors import business_date_get;"
        "from loans.reconciliation import ledger_reconcile;"
        "from repayments.models import Repayment;"
        "r = ledger_reconcile(business_date=business_date_get());"
        "print(json.dumps({'clean': r.is_clean,"
        " 'repayments': Repayment.objects.filter(status='succeeded').count()}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_DEBUG="false",
            DATABASE_URL=f"postgres://{APP}@{HOST}:5432/{DB}",
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--borrowers", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian: apt-get install wrk; `make bench` installs it)")

    load_average_start = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    fresh_database()
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        book = build_book(args.borrowers, Path(folder))
        built_s = time.perf_counter() - began
        first_token = book.read_text().split()[0]
        server = start_gunicorn()
        try:
            wait_ready(server, first_token)
            # Warm every worker's connections and caches.
            wrk("ping", book=book, seconds=3, connections=args.connections)
            results = {
                scenario: wrk(
                    scenario, book=book, seconds=args.seconds, connections=args.connections
                )
                for scenario in SCENARIOS
            }
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    ceiling = results["ping"]["per_second"]
    for figures in results.values():
        figures["share_of_ceiling"] = round(figures["per_second"] / ceiling, 3)
    print(
        json.dumps(
            {
                "borrowers": args.borrowers,
                "load_average_start": load_average_start,
                "seconds": args.seconds,
                "connections": args.connections,
                "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                "book_built_s": round(built_s, 1),
                "results": results,
                "after": reconcile(),
            }
        )
    )


if __name__ == "__main__":
    main()
