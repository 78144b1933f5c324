"""`make bench`: run every benchmark under bench/ and write BENCHMARKS.md.

Each benchmark is compared with a baseline measured in the same run (ratios are what stay
meaningful on a shared, noisy machine); the machine, the command and the date are recorded.

    python bench/run.py [--quick]   # --quick: fewer pairs and runs, for a smoke test
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
    done = subprocess.run([PYTHON, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout


def _pricing_section(pricing: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Product rate check (worst case over every case)",
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
        "## Back-office dashboard",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    machine = _machine()

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
        "## Ledger",
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
    ]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
