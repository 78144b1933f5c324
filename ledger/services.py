"""Posting to the ledger. Every movement of money goes through `journal_transaction_post`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from common.exceptions import Conflict, InvalidInput
from common.money import round_money
from ledger.accounts import AccountCode
from ledger.models import Account, JournalLine, JournalTransaction


class DuplicatePosting(Conflict):
    """This business event was already posted (its idempotency key exists)."""

    default_code = "duplicate_posting"


@dataclass(frozen=True)
class Posting:
    """One line of a journal transaction: a debit is positive, a credit negative."""

    account: AccountCode
    amount: Decimal
    loan_id: int | None = None


def debit(account: AccountCode, amount: Decimal, loan_id: int | None = None) -> Posting:
    return Posting(account, amount, loan_id)


def credit(account: AccountCode, amount: Decimal, loan_id: int | None = None) -> Posting:
    return Posting(account, -amount, loan_id)


def journal_transaction_post(
    *,
    idempotency_key: str,
    kind: str,
    business_date: dt.date,
    now: dt.datetime,
    postings: Sequence[Posting],
    description: str = "",
    reverses: JournalTransaction | None = None,
) -> JournalTransaction:
    """Post one balanced transaction. Runs inside the caller's transaction (a savepoint),
    so a money movement and its journal entry commit or roll back together.

    Raises `InvalidInput` for an unbalanced or malformed posting and `DuplicatePosting` if
    the idempotency key was used before; either way nothing is written."""
    if not idempotency_key:
        raise InvalidInput("A posting needs an idempotency key.", code="idempotency_key_missing")
    if len(postings) < 2:
        raise InvalidInput("A journal transaction needs at least two lines.", code="too_few_lines")
    for posting in postings:
        if posting.amount == 0:
            raise InvalidInput("A journal line cannot be zero.", code="zero_line")
        if posting.amount != round_money(posting.amount):
            raise InvalidInput(
                f"{posting.amount} is not an amount in fen.", code="amount_not_in_fen"
            )
    total = sum((posting.amount for posting in postings), Decimal(0))
    if total != 0:
        raise InvalidInput(
            f"The transaction is not balanced: debits and credits differ by {total}.",
            code="unbalanced",
        )
    codes = {posting.account for posting in postings}
    accounts = {a.code: a for a in Account.objects.filter(code__in=[str(c) for c in codes])}
    missing = sorted(str(code) for code in codes if str(code) not in accounts)
    if missing:
        raise InvalidInput(f"Unknown accounts: {', '.join(missing)}.", code="unknown_account")
    try:
        with transaction.atomic():
            entry = JournalTransaction.objects.create(
                idempotency_key=idempotency_key,
                kind=kind,
                business_date=business_date,
                posted_at=now,
                description=description[:255],
                reverses=reverses,
            )
            JournalLine.objects.bulk_create(
                [
                    JournalLine(
                        transaction=entry,
                        account=accounts[str(posting.account)],
                        amount=posting.amount,
                        loan_id=posting.loan_id,
                    )
                    for posting in postings
                ]
            )
    except IntegrityError as exc:
        if JournalTransaction.objects.filter(idempotency_key=idempotency_key).exists():
            raise DuplicatePosting(
                f"The event {idempotency_key!r} has already been posted.",
            ) from exc
        raise
    return entry


def journal_transaction_reverse(
    *,
    original: JournalTransaction,
    business_date: dt.date,
    now: dt.datetime,
    reason: str,
) -> JournalTransaction:
    """Cancel a posted transaction with its mirror image (posted entries are never edited).
    A transaction is reversed at most once: the reversal's key is derived from the original."""
    lines = list(original.lines.select_related("account").order_by("pk"))
    return journal_transaction_post(
        idempotency_key=f"reversal:{original.public_id}",
        kind=JournalTransaction.Kind.REVERSAL,
        business_date=business_date,
        now=now,
        postings=[
            Posting(AccountCode(line.account.code), -line.amount, line.loan_id) for line in lines
        ],
        description=f"Reversal of {original.idempotency_key}: {reason}",
        reverses=original,
    )
