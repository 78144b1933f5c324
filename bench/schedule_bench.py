"""Benchmark of the schedule engine (Decimal, rounded per row, IRR by Newton in Decimal)
against a baseline measured in the same run: the same schedule computed naively with binary
floats, which is fast and wrong at the fen. The ratio is what correctness costs.

    python bench/schedule_bench.py [--schedules N] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from loans.schedule import InterestRate, RepaymentMethod, build_schedule  # noqa: E402


def _cases(count: int, seed: int = 1) -> list[tuple[Decimal, int, RepaymentMethod, InterestRate]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        term = rng.choice([5, 10, 20, 12, 24, 36, 60, 120, 240, 360])
        principal = Decimal(rng.randrange(1000, 2_000_000, 100))
        method = rng.choice(list(RepaymentMethod))
        if term <= 20 and rng.random() < 0.5:
            rate = InterestRate.daily(Decimal(rng.choice(["0.0002", "0.0003", "0.0005"])))
        else:
            rate = InterestRate.annual(Decimal(rng.choice(["0.0345", "0.0435", "0.049", "0.06"])))
        cases.append((principal, term, method, rate))
    return cases


def _float_schedule(principal: float, term: int, method: str, monthly: float) -> list[float]:
    """The baseline: textbook float arithmetic, no rounding discipline, no dates, no IRR."""
    totals = []
    balance = principal
    if method == "equal_installment":
        growth = (1 + monthly) ** term
        payment = principal * monthly * growth / (growth - 1)
        for _ in range(term):
            interest = balance * monthly
            balance -= payment - interest
            totals.append(payment)
    else:
        part = principal / term
        for _ in range(term):
            totals.append(part + balance * monthly)
            balance -= part
    return totals


def run(schedules: int) -> dict[str, Any]:
    cases = _cases(schedules)
    start_date = dt.date(2024, 5, 10)
    engine_times = []
    rows = 0
    for principal, term, method, rate in cases:
        began = time.perf_counter()
        schedule = build_schedule(
            principal=principal, term=term, method=method, rate=rate, start_date=start_date
        )
        engine_times.append(time.perf_counter() - began)
        rows += len(schedule.installments)
    baseline_times = []
    for principal, term, method, rate in cases:
        monthly = float(rate.monthly)  # float-ok: the baseline is the float way
        began = time.perf_counter()
        _float_schedule(float(principal), term, method.value, monthly)  # float-ok
        baseline_times.append(time.perf_counter() - began)
    engine_total = sum(engine_times)
    baseline_total = sum(baseline_times)
    ordered = sorted(engine_times)
    return {
        "schedules": schedules,
        "rows": rows,
        "engine_total_s": round(engine_total, 3),
        "engine_median_ms": round(statistics.median(engine_times) * 1000, 3),
        "engine_p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 3),
        "engine_us_per_row": round(engine_total / rows * 1e6, 2),
        "baseline_total_s": round(baseline_total, 4),
        "ratio_engine_to_float_baseline": round(engine_total / baseline_total, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schedules", type=int, default=2000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.schedules)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
