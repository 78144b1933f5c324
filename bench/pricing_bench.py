"""Benchmark of the product rate check (`loans.schedule.worst_case`): the worst annualized
IRR over every case of a product, found by the bounded search, against a baseline measured
in the same run: building and solving every case (the brute force), timed on a random
sample of the product's cases and scaled to all of them (the whole brute force of the bank
product would take hours).

    python bench/pricing_bench.py [--sample N] [--json out.json]
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

from common.money import money_context  # noqa: E402
from loans.schedule import DueDateRule, InterestRate, RateBasis, RepaymentMethod  # noqa: E402
from loans.schedule.engine import RowInterest, fixed_part_fen, schedule_rows_fen  # noqa: E402
from loans.schedule.exact import from_fen, to_fen  # noqa: E402
from loans.schedule.rates import disclosed_rate, irr  # noqa: E402
from loans.schedule.worst_case import draw_amounts, product_worst_case  # noqa: E402
from loans.schedule.worst_case.search import product_shapes  # noqa: E402

EP, EI = RepaymentMethod.EQUAL_PRINCIPAL, RepaymentMethod.EQUAL_INSTALLMENT
START = dt.date(2024, 3, 10)

PRODUCTS: list[tuple[str, dict[str, Any]]] = [
    (
        "Micro-loan (demo): 0.05%/day, terms 5/10/20, both methods, 100-40,000 by 100",
        {
            "rate": InterestRate.daily(Decimal("0.0005")),
            "terms": [5, 10, 20],
            "methods": [EP, EI],
            "min_draw": Decimal("100"),
            "max_draw": Decimal("40000"),
            "draw_step": Decimal("100"),
        },
    ),
    (
        "Micro-loan near the cap: 0.0663%/day, otherwise the same",
        {
            "rate": InterestRate.daily(Decimal("0.000663")),
            "terms": [5, 10, 20],
            "methods": [EP, EI],
            "min_draw": Decimal("100"),
            "max_draw": Decimal("40000"),
            "draw_step": Decimal("100"),
        },
    ),
    (
        "Bank loan (demo): 4.35%, terms 12-360, both methods, 10,000-1,000,000 by 1,000",
        {
            "rate": InterestRate.annual(Decimal("0.0435")),
            "terms": list(range(12, 361)),
            "methods": [EP, EI],
            "min_draw": Decimal("10000"),
            "max_draw": Decimal("1000000"),
            "draw_step": Decimal("1000"),
        },
    ),
    (
        "Bank loan from small amounts: 4.9%, terms 12-360, both methods, 1,000-1,000,000 by 100",
        {
            "rate": InterestRate.annual(Decimal("0.049")),
            "terms": list(range(12, 361)),
            "methods": [EP, EI],
            "min_draw": Decimal("1000"),
            "max_draw": Decimal("1000000"),
            "draw_step": Decimal("100"),
        },
    ),
]


def _brute_force_seconds_per_case(product: dict[str, Any], sample: int) -> float:
    """Build and solve `sample` random cases of the product, the way the brute force does
    every one; seconds per case."""
    rate: InterestRate = product["rate"]
    unit_fen = to_fen(Decimal("0.01"))
    shapes, per_year = product_shapes(
        rate, sorted(product["terms"]), product["methods"], DueDateRule(), START, unit_fen
    )
    amounts = draw_amounts(product["min_draw"], product["max_draw"], product["draw_step"])
    interest = RowInterest.of(rate)
    rng = random.Random(7)
    every = list(shapes)
    cases = [(rng.choice(every), rng.choice(amounts)) for _ in range(sample)]
    began = time.perf_counter()
    for shape, amount in cases:
        fixed = fixed_part_fen(amount, shape.term, shape.method, rate, unit_fen)
        rows = schedule_rows_fen(amount, shape.method, interest, shape.days, fixed)
        payments = [from_fen(p + i) for p, i in rows]
        with money_context():
            disclosed_rate(irr(from_fen(amount), shape.times, payments) * per_year)
    return (time.perf_counter() - began) / sample


def run(sample: int, repeats: int) -> list[dict[str, Any]]:
    results = []
    for label, product in PRODUCTS:
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            found = product_worst_case(calendar_start=START, **product)
            times.append(time.perf_counter() - began)
        per_case = _brute_force_seconds_per_case(product, sample)
        search_s = statistics.median(times)
        brute_s = per_case * found.cases
        results.append(
            {
                "product": label,
                "worst_irr": str(found.annualized_rate_irr),
                "worst_case": (
                    f"{found.principal} over {found.term} months, "
                    f"{found.method.value.replace('_', ' ')}"
                    + (
                        f", first period {found.period_days[0]} days"
                        if product["rate"].basis is RateBasis.DAILY
                        else ""
                    )
                ),
                "cases": found.cases,
                "schedules_built": found.schedules_built,
                "search_s": round(search_s, 3),
                "brute_force_ms_per_case": round(per_case * 1000, 3),
                "brute_force_estimated_s": round(brute_s, 1),
                "ratio_brute_force_to_search": round(brute_s / search_s),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.sample, args.repeats)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
