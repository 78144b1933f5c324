"""Posting to the ledger. Every movement of money is a journal transaction written here:
one at a time (`journal_transaction_post`, for events on one loan) or many at once
(`journal_entries_post`, for a chunk of the close of business), through the same
validation and the same single SQL statement per call.

A transaction and all its lines are written by one statement (a data-modifying CTE on
PostgreSQL), which is what the database's statement-level guards expect: see
ledger/migrations/0005_linear_guards.py."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction

from common.exceptions import Conflict, InvalidInput
from common.money import round_money
from ledger.accounts import AGGREGATE_KINDS, LOAN_RECEIVABLE_ACCOUNTS, AccountCode
from ledger.models import Account, JournalLine, JournalTransaction

_KINDS = frozenset(JournalTransaction.Kind.values)
_CODES = frozenset(AccountCode)


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


@dataclass(frozen=True)
class JournalEntry:
    """A journal transaction to post: one business event, balanced."""

    idempotency_key: str
    kind: str
    business_date: dt.date
    postings: Sequence[Posting]
    description: str = ""
    reverses_id: int | None = None


@dataclass(frozen=True)
class PostedEntry:
    id: int
    public_id: uuid.UUID
    idempotency_key: str


def journal_entry_validate(entry: JournalEntry) -> None:
    """Every rule the database also enforces, with a stable code per failure, so a caller
    gets a clear refusal instead of a constraint error."""
    if not entry.idempotency_key or len(entry.idempotency_key) > 200:
        raise InvalidInput(
            "A posting needs an idempotency key of 1-200 characters.",
            code="idempotency_key_missing",
        )
    if entry.kind not in _KINDS:
        raise InvalidInput(f"Unknown journal kind {entry.kind!r}.", code="unknown_kind")
    if len(entry.postings) < 2:
        raise InvalidInput("A journal transaction needs at least two lines.", code="too_few_lines")
    total = Decimal(0)
    for posting in entry.postings:
        if posting.account not in _CODES:
            raise InvalidInput(f"Unknown account: {posting.account}.", code="unknown_account")
        if posting.amount == 0:
            raise InvalidInput("A journal line cannot be zero.", code="zero_line")
        if posting.amount != round_money(posting.amount):
            raise InvalidInput(
                f"{posting.amount} is not an amount in fen.", code="amount_not_in_fen"
            )
        if (
            posting.loan_id is None
            and posting.account in LOAN_RECEIVABLE_ACCOUNTS
            and entry.kind not in AGGREGATE_KINDS
        ):
            raise InvalidInput(
                f"A {entry.kind} line on account {posting.account} must name its loan.",
                code="loan_missing",
            )
        total += posting.amount
    if total != 0:
        raise InvalidInput(
            f"The transaction is not balanced: debits and credits differ by {total}.",
            code="unbalanced",
        )


_INSERT_SQL = """
WITH header AS (
    INSERT INTO ledger_journaltransaction
        (public_id, idempotency_key, kind, business_date, posted_at, description, reverses_id)
    SELECT * FROM unnest(
        %s::uuid[], %s::varchar[], %s::varchar[], %s::date[], %s::timestamptz[],
        %s::varchar[], %s::bigint[])
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, public_id, idempotency_key
), line AS (
    INSERT INTO ledger_journalline (transaction_id, account_id, amount, loan_id)
    SELECT header.id, account.id, l.amount, l.loan_id
      FROM unnest(%s::varchar[], %s::varchar[], %s::numeric[], %s::bigint[])
               WITH ORDINALITY AS l(idempotency_key, code, amount, loan_id, ord)
      JOIN header USING (idempotency_key)
      JOIN ledger_account account ON account.code = l.code
     ORDER BY l.ord
    RETURNING transaction_id
)
SELECT header.id, header.public_id, header.idempotency_key,
       (SELECT count(*) FROM line) AS line_count
  FROM header
"""


def _insert_postgresql(
    entries: Sequence[JournalEntry], now: dt.datetime
) -> tuple[list[PostedEntry], int]:
    public_ids = [uuid.uuid4() for _ in entries]
    params: list[Any] = [
        public_ids,
        [e.idempotency_key for e in entries],
        [e.kind for e in entries],
        [e.business_date for e in entries],
        [now] * len(entries),
        [e.description[:255] for e in entries],
        [e.reverses_id for e in entries],
        [e.idempotency_key for e in entries for _ in e.postings],
        [str(p.account) for e in entries for p in e.postings],
        [p.amount for e in entries for p in e.postings],
        [p.loan_id for e in entries for p in e.postings],
    ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, params)
        rows = cursor.fetchall()
    posted = [PostedEntry(row[0], row[1], row[2]) for row in rows]
    return posted, int(rows[0][3]) if rows else 0


def _insert_orm(entries: Sequence[JournalEntry], now: dt.datetime) -> tuple[list[PostedEntry], int]:
    """The embedded SQLite default: no statement-level guards there, the validation above
    is what keeps entries balanced; writers are serialised by IMMEDIATE transactions."""
    existing = set(
        JournalTransaction.objects.filter(
            idempotency_key__in=[e.idempotency_key for e in entries]
        ).values_list("idempotency_key", flat=True)
    )
    fresh = [e for e in entries if e.idempotency_key not in existing]
    headers = JournalTransaction.objects.bulk_create(
        [
            JournalTransaction(
                idempotency_key=e.idempotency_key,
                kind=e.kind,
                business_date=e.business_date,
                posted_at=now,
                description=e.description[:255],
                reverses_id=e.reverses_id,
            )
            for e in fresh
        ]
    )
    accounts = dict(Account.objects.values_list("code", "pk"))
    lines = [
        JournalLine(
            transaction_id=header.pk,
            account_id=accounts[str(p.account)],
            amount=p.amount,
            loan_id=p.loan_id,
        )
        for header, e in zip(headers, fresh, strict=True)
        for p in e.postings
        if str(p.account) in accounts
    ]
    JournalLine.objects.bulk_create(lines)
    return [PostedEntry(h.pk, h.public_id, h.idempotency_key) for h in headers], len(lines)


def journal_entries_post(
    *, entries: Sequence[JournalEntry], now: dt.datetime, skip_duplicates: bool = False
) -> list[PostedEntry]:
    """Post many balanced transactions in one statement (the set-based path).

    Runs inside the caller's transaction. Each entry is validated first; an invalid one
    refuses the whole call with `InvalidInput` and nothing is written. An idempotency key
    that was posted before raises `DuplicatePosting` (nothing of this call is written), or,
    with `skip_duplicates`, is left out: the result lists what was posted now."""
    if not entries:
        return []
    keys = [e.idempotency_key for e in entries]
    for entry in entries:
        journal_entry_validate(entry)
    if len(set(keys)) != len(keys):
        raise InvalidInput("Two entries share an idempotency key.", code="duplicate_key_in_batch")
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_orm
    # One entry is written whole or not at all by its statement; several need a savepoint
    # so that a duplicate among them leaves none of them behind. A reversal may hit the
    # one-reversal-per-transaction key, which must not abort the caller's transaction.
    needs_savepoint = (len(entries) > 1 and not skip_duplicates) or any(
        e.reverses_id is not None for e in entries
    )
    try:
        with transaction.atomic() if needs_savepoint else nullcontext():
            posted, line_count = insert(entries, now)
            if not skip_duplicates and len(posted) != len(entries):
                done = {p.idempotency_key for p in posted}
                first = next(k for k in keys if k not in done)
                raise DuplicatePosting(f"The event {first!r} has already been posted.")
            by_key = {e.idempotency_key: e for e in entries}
            expected = sum(len(by_key[p.idempotency_key].postings) for p in posted)
            if line_count != expected:
                raise InvalidInput(
                    "Some lines name accounts missing from the chart of accounts.",
                    code="unknown_account",
                )
    except IntegrityError as exc:
        # The only unique key besides the idempotency key: a transaction is reversed once.
        if "reverses" in str(exc):
            raise DuplicatePosting("That transaction has already been reversed.") from exc
        raise
    return posted


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
    """Post one balanced transaction (an event on one loan). Runs inside the caller's
    transaction, so a money movement and its journal entry commit or roll back together.

    Raises `InvalidInput` for an unbalanced or malformed posting and `DuplicatePosting` if
    the idempotency key was used before; either way nothing is written."""
    entry = JournalEntry(
        idempotency_key=idempotency_key,
        kind=kind,
        business_date=business_date,
        postings=postings,
        description=description,
        reverses_id=reverses.pk if reverses is not None else None,
    )
    (posted,) = journal_entries_post(entries=[entry], now=now)
    posted_transaction = JournalTransaction(
        pk=posted.id,
        public_id=posted.public_id,
        idempotency_key=idempotency_key,
        kind=kind,
        business_date=business_date,
        posted_at=now,
        description=description[:255],
        reverses=reverses,
    )
    posted_transaction._state.adding = False
    posted_transaction._state.db = connection.alias
    return posted_transaction


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


def lending_capital_fund(
    *, amount: Decimal, idempotency_key: str, business_date: dt.date, now: dt.datetime
) -> JournalTransaction:
    """Lending capital paid into the settlement bank account (the funding event): what the
    payouts are paid from, so the bank account never goes negative."""
    if amount <= 0:
        raise InvalidInput("Funding must be a positive amount.", code="amount_not_positive")
    with transaction.atomic():
        return journal_transaction_post(
            idempotency_key=idempotency_key,
            kind=JournalTransaction.Kind.FUNDING,
            business_date=business_date,
            now=now,
            postings=[
                debit(AccountCode.SETTLEMENT_BANK, amount),
                credit(AccountCode.LENDING_CAPITAL, amount),
            ],
            description="Lending capital paid into the settlement account",
        )
