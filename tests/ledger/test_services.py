"""The ledger refuses anything that is not a balanced, new, insert-only transaction, by
every path: the service, the ORM and raw SQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from common.exceptions import InvalidInput
from ledger.accounts import AccountCode
from ledger.models import Account, JournalLine, JournalTransaction
from ledger.selectors import account_balance, trial_balance
from ledger.services import (
    DuplicatePosting,
    Posting,
    credit,
    debit,
    journal_transaction_post,
    journal_transaction_reverse,
)

D = Decimal
DAY = dt.date(2024, 5, 10)


def post(key, postings, kind=JournalTransaction.Kind.ADJUSTMENT):
    return journal_transaction_post(
        idempotency_key=key,
        kind=kind,
        business_date=DAY,
        now=timezone.now(),
        postings=postings,
    )


def funding(key="funding:1", amount=D("1000000.00")):
    return post(
        key,
        [debit(AccountCode.SETTLEMENT_BANK, amount), credit(AccountCode.LENDING_CAPITAL, amount)],
        kind=JournalTransaction.Kind.FUNDING,
    )


def counts():
    return JournalTransaction.objects.count(), JournalLine.objects.count()


def test_balanced_transaction_is_posted(db):
    entry = funding()
    assert entry.lines.count() == 2
    assert account_balance(code=AccountCode.SETTLEMENT_BANK) == D("1000000.00")
    assert account_balance(code=AccountCode.LENDING_CAPITAL) == D("-1000000.00")
    balance = trial_balance()
    assert balance.is_balanced
    assert balance.total_debit == D("1000000.00")
    assert balance.total_credit == D("1000000.00")


@pytest.mark.parametrize(
    ("postings", "code"),
    [
        (
            [
                debit(AccountCode.SETTLEMENT_BANK, D("10")),
                credit(AccountCode.LENDING_CAPITAL, D("9")),
            ],
            "unbalanced",
        ),
        ([debit(AccountCode.SETTLEMENT_BANK, D("10"))], "too_few_lines"),
        (
            [
                debit(AccountCode.SETTLEMENT_BANK, D("0")),
                credit(AccountCode.LENDING_CAPITAL, D("0")),
            ],
            "zero_line",
        ),
        (
            [
                debit(AccountCode.SETTLEMENT_BANK, D("10.005")),
                credit(AccountCode.LENDING_CAPITAL, D("10.005")),
            ],
            "amount_not_in_fen",
        ),
        (
            [Posting("9999", D("10")), credit(AccountCode.LENDING_CAPITAL, D("10"))],  # type: ignore[arg-type]
            "unknown_account",
        ),
    ],
)
def test_service_refuses_malformed_postings_and_writes_nothing(db, postings, code):
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        post("bad:1", postings)
    assert caught.value.code == code
    assert counts() == before


def test_duplicate_idempotency_key_is_refused_and_writes_nothing(db):
    funding("funding:dup")
    before = counts()
    with pytest.raises(DuplicatePosting):
        funding("funding:dup", amount=D("5.00"))
    assert counts() == before
    assert account_balance(code=AccountCode.SETTLEMENT_BANK) == D("1000000.00")


@pytest.mark.django_db(transaction=True)
def test_orm_cannot_commit_an_unbalanced_transaction():
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        entry = JournalTransaction.objects.create(
            idempotency_key="orm:unbalanced",
            kind=JournalTransaction.Kind.ADJUSTMENT,
            business_date=DAY,
            posted_at=timezone.now(),
        )
        bank = Account.objects.get(code=AccountCode.SETTLEMENT_BANK)
        capital = Account.objects.get(code=AccountCode.LENDING_CAPITAL)
        JournalLine.objects.create(transaction=entry, account=bank, amount=D("100.00"))
        JournalLine.objects.create(transaction=entry, account=capital, amount=D("-99.99"))
    assert counts() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_orm_cannot_commit_a_transaction_without_lines():
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        JournalTransaction.objects.create(
            idempotency_key="orm:empty",
            kind=JournalTransaction.Kind.ADJUSTMENT,
            business_date=DAY,
            posted_at=timezone.now(),
        )
    assert counts() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_commit_an_unbalanced_transaction():
    with (
        pytest.raises(IntegrityError, match="not balanced"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO ledger_journaltransaction "
            "(public_id, idempotency_key, kind, business_date, posted_at, description) "
            "VALUES (gen_random_uuid(), 'raw:1', 'adjustment', %s, now(), '') RETURNING id",
            [DAY],
        )
        (txn_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ledger_journalline (transaction_id, account_id, amount) "
            "SELECT %s, id, 250.00 FROM ledger_account WHERE code = %s "
            "UNION ALL SELECT %s, id, -200.00 FROM ledger_account WHERE code = %s",
            [txn_id, AccountCode.SETTLEMENT_BANK, txn_id, AccountCode.LENDING_CAPITAL],
        )
    assert counts() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_unbalance_a_committed_transaction_by_adding_a_line():
    entry = funding("funding:raw-extra")
    with (
        pytest.raises(IntegrityError, match="not balanced"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO ledger_journalline (transaction_id, account_id, amount) "
            "SELECT %s, id, 1.00 FROM ledger_account WHERE code = %s",
            [entry.pk, AccountCode.SETTLEMENT_BANK],
        )
    assert entry.lines.count() == 2
    assert trial_balance().is_balanced


@pytest.mark.django_db(transaction=True)
def test_raw_sql_balanced_transaction_commits():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journaltransaction "
            "(public_id, idempotency_key, kind, business_date, posted_at, description) "
            "VALUES (gen_random_uuid(), 'raw:ok', 'adjustment', %s, now(), '') RETURNING id",
            [DAY],
        )
        (txn_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ledger_journalline (transaction_id, account_id, amount) "
            "SELECT %s, id, 250.00 FROM ledger_account WHERE code = %s "
            "UNION ALL SELECT %s, id, -250.00 FROM ledger_account WHERE code = %s",
            [txn_id, AccountCode.SETTLEMENT_BANK, txn_id, AccountCode.LENDING_CAPITAL],
        )
    assert counts() == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_posted_entries_cannot_be_updated_or_deleted():
    entry = funding("funding:immutable")
    line = entry.lines.first()
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        JournalLine.objects.filter(pk=line.pk).update(amount=D("1.00"))
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        JournalLine.objects.filter(pk=line.pk).delete()
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        JournalTransaction.objects.filter(pk=entry.pk).update(description="edited")
    with (
        pytest.raises(DatabaseError, match="insert-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ledger_journaltransaction WHERE id = %s", [entry.pk])
    line.refresh_from_db()
    assert line.amount == D("1000000.00")
    assert counts() == (1, 2)


def test_reversal_mirrors_the_original_once(db):
    entry = funding("funding:to-reverse", amount=D("500.00"))
    reversal = journal_transaction_reverse(
        original=entry, business_date=DAY, now=timezone.now(), reason="posted twice by mistake"
    )
    assert reversal.reverses == entry
    assert sorted(line.amount for line in reversal.lines.all()) == [D("-500.00"), D("500.00")]
    assert account_balance(code=AccountCode.SETTLEMENT_BANK) == D("0.00")
    with pytest.raises(DuplicatePosting):
        journal_transaction_reverse(
            original=entry, business_date=DAY, now=timezone.now(), reason="again"
        )


ACCOUNTS = list(AccountCode)
amounts = st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2)


@st.composite
def postings(draw):
    """A random balanced transaction of 2-6 lines over random accounts."""
    n = draw(st.integers(min_value=1, max_value=5))
    lines = [
        Posting(draw(st.sampled_from(ACCOUNTS)), draw(amounts) * draw(st.sampled_from([1, -1])))
        for _ in range(n)
    ]
    total = sum((p.amount for p in lines), D(0))
    assume(total != 0)
    lines.append(Posting(draw(st.sampled_from(ACCOUNTS)), -total))
    return lines


class TrialBalanceProperties(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(
            st.tuples(
                postings(),
                st.booleans(),
                st.decimals(min_value=D("0.01"), max_value=D("5"), places=2),
            ),
            min_size=1,
            max_size=8,
        )
    )
    def test_trial_balance_sums_to_zero_after_random_postings(self, sequence):
        expected: dict[str, Decimal] = {}
        for number, (lines, spoil, skew) in enumerate(sequence):
            if spoil:
                # An unbalanced variant is refused and leaves no trace.
                bad = [*lines[:-1], Posting(lines[-1].account, lines[-1].amount + skew)]
                with pytest.raises(InvalidInput):
                    post(f"prop:{number}:bad", bad)
            post(f"prop:{number}", lines)
            for p in lines:
                expected[p.account] = expected.get(p.account, D(0)) + p.amount
        balance = trial_balance()
        assert balance.is_balanced
        assert balance.difference == D("0.00")
        for row in balance.rows:
            assert row.balance == expected.get(row.code, D(0))
        assert JournalTransaction.objects.count() == len(sequence)
