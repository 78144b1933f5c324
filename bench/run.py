"""`make bench`: run every benchmark under bench/ and write BENCHMARKS.md.

Each benchmark is compared with a baseline measured in the same run (ratios are what stay
meaningful on a shared, noisy machine); the machine, the command and the date are recorded.

    python bench/run.py [--quick]   # --quick: fewer pairs and runs, for a smoke test
    python bench/run.py --only close  # only the close of business, its section replaced

The close of business runs on a book of BENCH_CLOSE_N loans (default 1,000,000; 100,000
with --quick).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except OSError:
        memory = "unknown"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    if memory.endswith(" kB"):
        memory = f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "commit": commit or "unknown",
        "load_average": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _run(args: list[str]) -> str:
    print("$", " ".join(args), flush=True)
    done = subprocess.run([PYTHON, *args], capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-8000:])
        raise SystemExit(f"{' '.join(args)} failed with exit status {done.returncode}")
    return done.stdout


def _pricing_section(pricing: list[dict[str, Any]]) -> list[str]:
    lines = [
        PRICING_HEADING,
        "",
        "`loans.schedule.worst_case.product_worst_case` (`bench/pricing_bench.py`): the highest",
        "disclosed IRR over every first period (15-45 days), term, method and draw amount,",
        "by the bounded search, against building and solving every case (timed on 2,000",
        "random cases of the product in the same run and scaled to all of them).",
        "",
        "| Product | Worst IRR (case) | Cases | Built | Search | Brute force (est.) | Ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in pricing:
        lines.append(
            f"| {row['product']} | {Decimal(row['worst_irr']) * 100:.2f}% ({row['worst_case']}) "
            f"| {row['cases']:,} | {row['schedules_built']:,} | {row['search_s']} s "
            f"| {row['brute_force_estimated_s']:,} s | {row['ratio_brute_force_to_search']:,}x |"
        )
    lines.append("")
    return lines


def _second_face_note(face: dict[str, Any]) -> list[str]:
    gate = face["gate"]
    chosen = next(row for row in gate["candidates"] if row["ratio"] == gate["ratio"])
    wider = next(row for row in gate["candidates"] if row["ratio"] > gate["ratio"])
    before = gate["refused_before"].get("multiple_faces", 0)
    after = gate["refused_after"].get("multiple_faces", 0)
    return [
        f"Second faces: a face narrower than {gate['ratio']:.0%} of the borrower's "
        "(`QualityConfig.background_face_ratio`) is someone far behind and is ignored. "
        f"Chosen on lfw-dev: below it, {chosen['equal_size_below']:.2%} of pairs of "
        f"equal-size faces are measured (at {wider['ratio']:.2f}, "
        f"{wider['equal_size_below']:.2%}; and the narrowest side-by-side pair of the "
        "developer photos, `multi/pascal_voc_2009_004587`, measures 0.71). Photos refused "
        "for a second face: "
        f"{before} before, {after} after; those left are people beside the subject or a "
        f"step behind (a face at least {gate['ratio']:.0%} as wide is at most "
        f"{1 / gate['ratio']:.1f} times as far from the camera), which the rule must still "
        "refuse.",
        "",
    ]


def _dashboard_section(board: dict[str, Any]) -> list[str]:
    page, base = board["dashboard_page_ms"], board["baseline_page_ms"]
    rows = board["rows"]
    slowest = max(board["statements"], key=lambda s: s["ms"])
    return [
        DASHBOARD_HEADING,
        "",
        f"The admin's first page on a book of {rows['loans_loan']:,} loans "
        f"({rows['repayments_repayment']:,} received repayments, "
        f"{rows['repayments_overduerecord']:,} overdue records) built with `generate_series` "
        "(`bench/dashboard_bench.py`), rendered through Django's test client on PostgreSQL "
        "as the application role, against the same page without the dashboard in the same run.",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        f"| Page with the dashboard: median (min-max), aim under 1 s | {page['median']} ms "
        f"({page['min']}-{page['max']}), {page['queries']} queries |",
        f"| Baseline: the same page without the dashboard | {base['median']} ms, "
        f"{base['queries']} queries |",
        f"| The dashboard's selector alone | {board['selector_ms']} ms in "
        f"{len(board['statements'])} statements |",
        f"| Its slowest statement (the one pass over the loans) | {slowest['ms']} ms |",
        f"| Building the book | {board['build_seconds']} s |",
        "",
    ]


def _postgresql_version() -> str:
    done = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "microlend_owner",
            "-d",
            "postgres",
            "-Atc",
            "SHOW server_version",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def _close_run(quick: bool) -> dict[str, Any]:
    loans = os.environ.get("BENCH_CLOSE_N", "100000" if quick else "1000000")
    figures: dict[str, Any] = json.loads(_run(["bench/close_bench.py", "--loans", loans]))
    figures["commit"] = _machine()["commit"]
    # The raw figures, kept with the code they measured.
    (ROOT / "bench" / "close_results.json").write_text(
        json.dumps(figures, indent=2) + "\n", encoding="utf-8"
    )
    return figures


def _ms(value: float) -> str:  # float-ok: seconds for display
    return f"{value / 1000:.2f} s"


def _followups_row(followups: dict[str, Any]) -> str:
    parts = []
    for name, what in (
        ("send_reminders", "reminders (written, then e-mailed and texted)"),
        ("send_collections", "collections (gateway call and allocation)"),
        ("send_notices", "overdue notices' deliveries"),
    ):
        step = followups.get(name)
        if not step or not step.get("chunks"):
            continue
        rate_of = {"send_reminders": "reminders", "send_collections": "collections"}.get(
            name, "sent"
        )
        parts.append(
            f"{name}: {step.get(rate_of, 0):,} {what} in {step['seconds']} s, "
            f"**{step['per_second'].get(rate_of, 0):,}/s** ({step['chunks']} of "
            f"{step['chunks_total']} chunks)"
        )
    clean = followups.get("reconciliation_clean")
    return (
        "| After it, the follow-up steps on one worker process, their first chunks "
        "(the simulated gateway, in-memory e-mail and text outboxes) | "
        + "; ".join(parts)
        + f"; reconciliation after them {'clean' if clean else '**NOT CLEAN**'} |"
    )


CLOSE_WORKERS_TEXT = {
    "threads": "2 connections of the closing process",
    "inline": "one connection",
    "celery": "the Celery workers",
}


def _close_section(close: dict[str, Any], machine: dict[str, str], command: str) -> list[str]:
    """The close of business (bench/close_bench.py), from its JSON."""
    book = close["book"]
    run = close["close"]
    steps = [step for step in run["steps"] if step["date"] == close["business_date"]]
    # The follow-up steps are planned by the close and run after it (their figures below).
    followup_steps = [step for step in steps if step["ms"] is None]
    steps = [step for step in steps if step["ms"] is not None]
    pg = close["postgresql"]
    followup_chunks = sum(step["chunks"] or 0 for step in followup_steps)
    lines = [
        CLOSE_HEADING,
        "",
        f"Measured {close['measured_at']} UTC, commit `{close.get('commit', machine['commit'])}`, "
        f"`{command}` "
        f"(`BENCH_CLOSE_N={close['loans']}`); {machine['cores']} cores "
        f"({machine['cpu']}), {machine['memory']} RAM, PostgreSQL {pg['server_version']} on the "
        f"same machine; load average at start {close['load_average_start']} (shared: "
        "compare the ratios, each measured in the same run).",
        "",
        f"The book (`bench/close_book.py`, `bench/close_book.sql`): {book['loans']:,} open loans "
        f"({book['micro_loans']:,} micro-loans of 5, 10 and 20 periods, the rest bank loans "
        f"of 12-60 months, {book['loans_of_360_months']:,} of 360), {book['installments']:,} "
        f"installments ({book['installments_paid']:,} paid, {book['installments_overdue']:,} "
        f"overdue, {book['installments_due']:,} due), drawn {book['first_draw']} to "
        f"{book['last_draw']}; loans overdue by aging bucket "
        + ", ".join(f"{k}: {v:,}" for k, v in book["loans_overdue_by_aging_bucket"].items())
        + f"; {book['installments_due_on_day']:,} installments due on the day closed "
        f"({close['business_date']}), {book['installments_due_next_day']:,} on the next; "
        f"{book['journal_transactions']:,} journal transactions. Built in "
        f"{book.get('build_total_s', '(template reused)')} s once, then copied from its "
        f"template database for each measurement ({book['copy_s']} s).",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        f"| One close of the day, every step and posting (`business_day_close`, chunks over "
        f"{CLOSE_WORKERS_TEXT.get(run.get('workers', 'inline'), run.get('workers'))}) | "
        f"**{run['wall_s']} s**, {close['loans_per_s']:,} loans/s |",
        "| of which: the steps and opening the next day / then planning and queueing the "
        f"follow-up steps ({followup_chunks:,} chunks: reminders, collections, notices) | "
        f"{run['until_next_day_open_s']} s / {run['followups_s']} s |",
        f"| Ledger reconciliation after it (`ledger_reconcile`) | "
        f"{'clean' if run['reconciliation_clean'] else '**NOT CLEAN**'} ({run['reconcile_s']} s) |",
        f"| Peak RSS of the closing process | {run['peak_rss_mb']} MB |",
    ]
    if run.get("followups"):
        lines.append(_followups_row(run["followups"]))
    if "other_workers" in close:
        other = close["other_workers"]
        lines.append(
            f"| The same close with its chunks over {CLOSE_WORKERS_TEXT[other['workers']]} "
            f"(`MICROLEND_CLOSE_WORKERS={other['workers']}`) | "
            f"{other['wall_s']} s (`loans` step {other['loans_step_s']} s): "
            f"{other['ratio']}x the first row's time |"
        )
    # The floor and the ORM loop run in one session: also against the close over one.
    other_run = close.get("other_workers") or {}
    single_s = other_run["wall_s"] if other_run.get("workers") == "inline" else None
    if "floor" in close:
        floor_s = close["floor"]["wall_s"]
        also = f", over one connection {single_s / floor_s:.2f}x" if single_s else ""
        lines.append(
            f"| Floor: the bare statements (`bench/close_floor.sql`), whole book, no framework | "
            f"{floor_s} s; close / floor **{close['ratio_close_to_floor']}x**{also} "
            f"(the `loans` step alone {close['ratio_loans_step_to_floor']}x) |"
        )
    if "orm" in close:
        orm = close["orm"]
        also = ""
        if single_s:
            single_us = single_s / close["loans"] * 1e6
            also = (
                f" ({orm['orm']['s'] / orm['sample'] * 1e6 / single_us:.1f}x against the close"
                f" over one connection, {single_us:.1f} µs/loan)"
            )
        lines.append(
            f"| Per-loan ORM loop (`closing/python.py`) on the first {orm['sample']:,} loans | "
            f"{orm['orm']['s']} s ({orm['orm_per_loan_us']:,} µs/loan) against "
            f"{orm['close_per_loan_us']} µs/loan for the close: **{orm['ratio_orm_to_close']}x**"
            f"{also}; the set-based statements on the same loans {orm['sql']['s']} s "
            f"({orm['ratio']}x); same totals and counts: {'yes' if orm['same_figures'] else '**no**'} |"
        )
    if "workers" in close:
        workers = close["workers"]
        lines.append(
            f"| Celery workers (`MICROLEND_CLOSE_WORKERS=celery`): 1 process / 2 processes | "
            f"{workers['one_s']} s / {workers['two_s']} s (`loans` step "
            f"{workers['loans_step_one_s']} / {workers['loans_step_two_s']} s): "
            f"{workers['speedup']}x; reconciliation "
            f"{'clean' if workers['reconciliation_clean'] else '**NOT CLEAN**'} |"
        )
    if "memory" in close:
        memory = close["memory"]
        lines.append(
            f"| Peak RSS at N = {memory['n_small']:,} / N = {memory['n_large']:,} | "
            f"{memory['peak_rss_mb_small']} MB / {memory['peak_rss_mb_large']} MB |"
        )
    if "catch_up" in close:
        catch_up = close["catch_up"]
        lines.append(
            f"| Three missed days (`--until`), against one | {catch_up['wall_s']} s / "
            f"{catch_up['one_day_s']} s: {catch_up['ratio']}x; reconciliation "
            f"{'clean' if catch_up['reconciliation_clean'] else '**NOT CLEAN**'} |"
        )
    lines += [
        "",
        "Per step of the close (rows written: state changes, records, notices, collections):",
        "",
        "| Step | Time | Rows written | Chunks | Counts |",
        "| --- | --- | --- | --- | --- |",
    ]
    for step in steps:
        counts = ", ".join(
            f"{k} {v:,}" for k, v in step["counts"].items() if isinstance(v, int) and v
        )
        lines.append(
            f"| `{step['step']}` | {_ms(step['ms'])} | {step['rows_written']:,} | "
            f"{step['chunks'] or ''} | {counts} |"
        )
    lines.extend(
        [
            "| outside the steps: start, open the next day | "
            f"{run['until_next_day_open_s'] - sum(step['ms'] for step in steps) / 1000:.2f} s | | | |",
            f"| after it: plan and queue the follow-up steps | {run['followups_s']:.2f} s | | | |",
        ]
    )
    if "floor" in close:
        lines += [
            "",
            "The floor, per statement: "
            + ", ".join(
                f"{name} {_ms(value['ms'])}" for name, value in close["floor"]["statements"].items()
            )
            + ".",
        ]
    lines += [
        "",
        "PostgreSQL settings: " + ", ".join(f"`{k}` {v}" for k, v in pg.items()) + ".",
        "",
        *CLOSE_NOTES,
    ]
    return lines


CLOSE_NOTES = [
    "How to read these figures:",
    "",
    "- Targets of the close-of-business issue, against their rows: 1,000,000 loans closed",
    "  in at most 10 s (the first row); close / floor under 2x (the floor's whole-book",
    "  statements run slower than the close's chunks of the same statements: one",
    "  transaction writes every changed row and its WAL before any commit); the per-loan",
    "  ORM loop at least 100x slower than the close (the set-based statements alone on the",
    "  same loans are the second ratio); 2 worker processes against 1; peak memory flat",
    "  in N.",
    "- The first row runs the chunks over 2 connections of the closing process, one per",
    "  core of this machine (`MICROLEND_CLOSE_THREADS`); each chunk keeps one database",
    "  backend busy on the CPU, so one connection, and one Celery worker process, take",
    "  about twice as long (their rows below). A chunk locks only its own record, so the",
    "  chunks of a night do not wait for each other.",
    "- Each figure is one measurement in a fresh process on a fresh copy of the same book;",
    "  on this shared machine absolute times vary between runs, the ratios less.",
    "- What a night costs is its row changes: about 31,000 rows fall due and as many",
    "  periods start (two updates each, every index of the installment table written",
    "  again), 5,000 rows go overdue with their records and notices, 31,000 collections",
    "  are queued. The accrual of the million rows in their period is one aggregate over",
    "  covering partial indexes (docs/adr/0003-close-of-business-reads.md). With",
    "  PostgreSQL's default 128 MB of shared buffers those updates evict dirty pages and",
    "  write full-page images to the WAL; the settings are listed above.",
    "- The reminders are follow-up work of the close (docs/close-of-business.md): on the",
    "  day closed, the eve of the 21st, the repayment day of every micro-loan drawn on the",
    "  29th-31st (DOMAIN.md §3), about 180,000 of them, written and sent by the",
    "  `send_reminders` chunks after the next day has opened.",
    "- The three missed days are the book's heaviest: the 20th is the eve of the 21st, so",
    "  about 100,000 rows fall due and as many periods start; on the 21st those rows are",
    "  queued for collection and the 31,000 due on the 19th, never collected here (no",
    "  worker sends the collections between the closes), go overdue with their records.",
    "  Each of those days changes several times the first day's rows, and with 128 MB of",
    "  shared buffers and 1 GB of WAL between checkpoints the cost per row grows with",
    "  them (checkpoints inside the close, dirty pages evicted by the close itself).",
    "- The follow-up rates are one process's, its first chunks; the workers share the",
    "  chunks (a night's 31,000 collections on 4 worker processes at the rate above take",
    "  a few minutes).",
    "- The floor is the same row changes as bare statements over the whole book in one",
    "  transaction, no chunks, no records of progress, no savepoints, reading through the",
    "  same indexes.",
    "- The per-loan ORM loop is `closing/python.py` (what the embedded SQLite default runs)",
    "  on the first loans of the book, in a transaction that is rolled back; the",
    "  set-based statements run on the same loans the same way, and both must give the",
    "  same totals and counts.",
    "- Peak RSS is the closing Python process's (`getrusage`); the database server's memory",
    "  is not in it. The chunks stream the book, and the follow-up steps are planned as id",
    "  ranges, so nothing the close holds grows with N.",
    "- The worker runs are reconciled after the workers have stopped: once the close is",
    "  done they take the follow-up chunks, which move money while the reconciliation's",
    "  separate queries run.",
    "",
]


CLOSE_HEADING = "## Close of business"


def _replace_section(text: str, heading: str, section: list[str]) -> str:
    """`text` with the section under `heading` (up to the next heading of its level)
    replaced by `section`, or `section` appended."""
    lines = text.splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = section
    else:
        lines += ["", *section]
    return "\n".join(lines).rstrip("\n") + "\n"


LEDGER_HEADING = "## Ledger"
PRICING_HEADING = "## Product rate check (worst case over every case)"
DASHBOARD_HEADING = "## Back-office dashboard"
API_HEADING = "## The API under load"


def _ledger_section(ledger: dict[str, Any]) -> list[str]:
    return [
        LEDGER_HEADING,
        "",
        f"{ledger['transactions']:,} two-line journal transactions through the set-based "
        f"posting path (`journal_entries_post`, {ledger['batch']:,} per call and per database "
        "transaction, connected as the application role) with the statement-level guards on, "
        "against the same rows and statement into copies of the ledger tables with the same "
        "keys, indexes and foreign keys but no guard triggers (`bench/ledger_bench.py`; "
        "batches alternate between the two).",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        f"| Guards on | {ledger['guarded_s']} s ({ledger['guarded_per_s']:,} transactions/s) |",
        f"| No guard triggers (floor) | {ledger['floor_s']} s |",
        f"| Ratio guarded / floor (aim: under 1.5x) | {ledger['ratio']}x |",
        "| One transaction of 10k / 20k / 40k lines, guards on | "
        + " / ".join(f"{v} s" for v in ledger["one_transaction_s"].values())
        + " (linear; the old per-row trigger took 10 / 55 / 270 s) |",
        "",
    ]


def _api_section(api: dict[str, Any], machine: dict[str, str]) -> list[str]:
    """The API under load (bench/api_bench.py), from its JSON."""
    results = api["results"]
    names = {
        "ping": "(a) ceiling: bare DRF endpoint, same authentication",
        "list": "(b) the borrower's loan list",
        "detail": "(b) a loan's detail",
        "repayment": "(c) a repayment with an idempotency key",
    }
    aims = {"ping": "", "list": "40%, p99 100 ms", "detail": "40%, p99 100 ms"}
    aims["repayment"] = "10%, p99 300 ms"
    lines = [
        API_HEADING,
        "",
        f"Measured {api['measured_at']} UTC, commit `{machine['commit']}`, "
        "`python bench/api_bench.py` (in `make bench`): gunicorn "
        f"({api['gunicorn']}) on the production settings (`bench/api_settings.py` adds only the "
        "ceiling's URL), PostgreSQL as the application role, Redis as the cache; wrk "
        f"(`bench/api_load.lua`) with {api['connections']} connections for {api['seconds']} s "
        f"per endpoint, each request signed in as the next of {api['borrowers']:,} borrowers "
        "(tokens; one disbursed micro-loan each). Throttles are production's own: these "
        "endpoints have no rate, and no borrower sends more than a few requests a second. "
        f"Load average at start {api['load_average_start']} on {machine['cores']} cores "
        "(wrk runs on the same machine).",
        "",
        "| Endpoint | Requests/s | Share of (a) (aim) | p50 | p99 | Failures (non-2xx) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, name in names.items():
        r = results[key]
        share = f"{r['share_of_ceiling'] * 100:.1f}%"  # float-ok: display
        lines.append(
            f"| {name} | {r['per_second']:,} | {share}"
            + (f" ({aims[key]})" if aims[key] else "")
            + f" | {r['p50_ms']} ms | {r['p99_ms']} ms | {r['failures']} of {r['requests']:,} |"
        )
    after = api["after"]
    lines += [
        "",
        f"After the load: {after['repayments']:,} repayments received, ledger reconciliation "
        f"{'clean' if after['clean'] else '**NOT CLEAN**'}.",
        "",
    ]
    return lines


def _api_run(quick: bool) -> dict[str, Any]:
    args = ["bench/api_bench.py"] + (["--borrowers", "100", "--seconds", "5"] if quick else [])
    figures: dict[str, Any] = json.loads(_run(args))
    figures["measured_at"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--only",
        choices=["close", "ledger", "dashboard", "api", "pricing"],
        help="run only this benchmark and replace its section of the existing file",
    )
    parser.add_argument(
        "--figures",
        type=Path,
        help="with --only close: write the section from these figures instead of measuring",
    )
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    machine = _machine()
    if args.only == "close":
        close = (
            json.loads(args.figures.read_text(encoding="utf-8"))
            if args.figures
            else _close_run(args.quick)
        )
        section = _close_section(
            close, machine, "python bench/run.py --only close" + (" --quick" if args.quick else "")
        )
        existing = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        args.output.write_text(_replace_section(existing, CLOSE_HEADING, section), encoding="utf-8")
        print(f"wrote {args.output}")
        return
    if args.only is not None:
        quick = args.quick
        if args.only == "ledger":
            heading, section = (
                LEDGER_HEADING,
                _ledger_section(
                    json.loads(
                        _run(
                            [
                                "bench/ledger_bench.py",
                                "--transactions",
                                "100000" if quick else "1000000",
                            ]
                        )
                    )
                ),
            )
        elif args.only == "pricing":
            heading, section = (
                PRICING_HEADING,
                _pricing_section(
                    json.loads(
                        _run(["bench/pricing_bench.py", "--sample", "300" if quick else "2000"])
                    )
                ),
            )
        elif args.only == "dashboard":
            heading, section = (
                DASHBOARD_HEADING,
                _dashboard_section(
                    json.loads(
                        _run(
                            [
                                "bench/dashboard_bench.py",
                                "--loans",
                                "100000" if quick else "1000000",
                            ]
                        )
                    )
                ),
            )
        else:
            heading, section = API_HEADING, _api_section(_api_run(quick), machine)
        if args.only != "api":  # the API's section says when and how it was measured
            section[1:1] = [
                "",
                f"Measured {started:%Y-%m-%d %H:%M} UTC, commit `{machine['commit']}`, "
                f"`python bench/run.py --only {args.only}`"
                + (" --quick" if quick else "")
                + f"; {machine['cores']} cores ({machine['cpu']}), {machine['memory']} RAM; "
                f"load average at start {machine['load_average']}.",
            ]
        existing = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        args.output.write_text(_replace_section(existing, heading, section), encoding="utf-8")
        print(f"wrote {args.output}")
        return

    schedules = json.loads(
        _run(["bench/schedule_bench.py", "--schedules", "300" if args.quick else "2000"])
    )
    ledger = json.loads(
        _run(["bench/ledger_bench.py", "--transactions", "100000" if args.quick else "1000000"])
    )
    pricing = json.loads(
        _run(["bench/pricing_bench.py", "--sample", "300" if args.quick else "2000"])
    )
    dashboard = json.loads(
        _run(["bench/dashboard_bench.py", "--loans", "100000" if args.quick else "1000000"])
    )
    baseline = json.loads(_run(["bench/face_baseline.py", "--runs", "3" if args.quick else "9"]))
    with tempfile.TemporaryDirectory() as folder:
        figures_path = Path(folder) / "face.json"
        face_args = ["bench/face_bench.py", "--json", str(figures_path)]
        face_args += (
            ["--pairs", "600", "--attempts", "5", "--composites", "20"]
            if args.quick
            else ["--degrade", "200", "--jitter-pairs", "300", "--composites", "100"]
        )
        face_table = _run(face_args)
        face: dict[str, Any] = json.loads(figures_path.read_text())

    close = _close_run(args.quick)
    api = _api_run(args.quick)
    command = "make bench" + ("  (python bench/run.py --quick)" if args.quick else "")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` on {started:%Y-%m-%d %H:%M} UTC, commit `{machine['commit']}`.",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']} RAM, "
        f"Python {machine['python']}; load average at start {machine['load_average']} "
        "(a shared machine: compare the ratios, which are measured in the same run).",
        "",
        "## Schedule engine",
        "",
        f"{schedules['schedules']} random schedules ({schedules['rows']} rows: terms 5-360, "
        "both methods, daily and annual rates), each with its IRR, in `Decimal`.",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        f"| Median / p95 per schedule | {schedules['engine_median_ms']} / {schedules['engine_p95_ms']} ms |",
        f"| Per row | {schedules['engine_us_per_row']} µs |",
        f"| Baseline: the same schedules in binary floats, no rounding discipline, no IRR | {schedules['baseline_total_s']} s in all |",
        f"| Ratio engine / float baseline | {schedules['ratio_engine_to_float_baseline']}x |",
        "",
        "The float baseline is wrong at the fen (it never rounds per row); the ratio is what",
        "exact money costs. A 360-month preview stays in the tens of milliseconds.",
        "",
        *_pricing_section(pricing),
        *_ledger_section(ledger),
        *_dashboard_section(dashboard),
        "## Face engine",
        "",
        "Accuracy and speed on `lfw-dev` (`bench/face_bench.py`):",
        "",
        face_table.strip(),
        "",
        f"Per attempt against a baseline in the same run (`bench/face_baseline.py`, "
        f"{baseline['frames']} frames of 640x480, {baseline['runs']} runs):",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        f"| Engine: median / slowest attempt | {baseline['engine_median_s']} / {baseline['engine_max_s']} s ({baseline['engine_passed']}/{baseline['runs']} passed) |",
        f"| Baseline: dlib the usual way (full-resolution detection with upsampling, every frame embedded) | {baseline['baseline_median_s']} s |",
        f"| Ratio baseline / engine | {baseline['ratio_baseline_to_engine']}x |",
        "",
        f"Default match threshold {face['match_threshold']}: chosen so the false-accept rate "
        "over all different-person pairs of lfw-dev stays at or below 0.1% (distances are "
        "between L2-normalised embeddings, so they are not on the scale of the 0.6 usually "
        "quoted for raw dlib descriptors).",
        "",
        *_second_face_note(face),
        *_close_section(close, machine, command),
        *_api_section(api, machine),
    ]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
