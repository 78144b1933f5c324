"""The API load benchmark's book: N borrowers, each with a complete profile, a bound card,
an API token and one disbursed micro-loan, built through the platform's own services (the
same path a borrower takes), in the database named by DATABASE_URL.

    DATABASE_URL=postgres://microlend_app@.../microlend_bench_api python bench/api_book.py --borrowers 1000 --out book.json

Writes {"tokens": [...], "loans": [...]} (one loan per token, same order)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--borrowers", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from common.selectors import business_date_get
    from loans.models import Method
    from tests.loans.factories import MicroProductFactory, borrower
    from tests.repayments.factories import disbursed_loan

    on = business_date_get()
    product = MicroProductFactory.create()
    unusable = make_password(None)  # API tokens only: no password hashing per borrower
    tokens: list[str] = []
    loans: list[str] = []
    for n in range(args.borrowers):
        user = borrower(business_date=on, phone=f"177{n:08d}", password=unusable)
        loan = disbursed_loan(
            user,
            product,
            amount="5000.00",
            term=10,
            method=Method.EQUAL_PRINCIPAL,
            on=on,
            key=f"bench-{n}",
        )
        tokens.append(Token.objects.create(user=user).key)
        loans.append(str(loan.public_id))
    args.out.write_text(json.dumps({"tokens": tokens, "loans": loans}))


if __name__ == "__main__":
    main()
