"""The ledger refuses anything that is not a balanced, new, insert-only transaction, by
every path: the service, the ORM and raw SQL."""

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from common.db.postgresql.base import owner_connect
from common.exceptions import InvalidInput
from ledger.accounts import LOAN_RECEIVABLE_ACCOUNTS, AccountCode
from ledger.models import Account, JournalLine, JournalTransaction
from ledger.selectors import account_balance, trial_balance
from ledger.services import (
    DuplicatePosting,
    JournalEntry,
    Posting,
    credit,
    debit,
    journal_entries_post,
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


def _raw_entry(cursor, key, amounts, kind="adjustment", loan_id=None):
    """One journal transaction and its lines in one statement, as the platform writes them."""
    codes = [AccountCode.SETTLEMENT_BANK, AccountCode.LENDING_CAPITAL] * len(amounts)
    cursor.execute(
        "WITH h AS (INSERT INTO ledger_journaltransaction "
        "(public_id, idempotency_key, kind, business_date, posted_at, description) "
        "VALUES (gen_random_uuid(), %s, %s, %s, now(), '') RETURNING id) "
        "INSERT INTO ledger_journalline (transaction_id, account_id, amount, loan_id) "
        "SELECT h.id, a.id, l.amount, %s FROM h, "
        "unnest(%s::varchar[], %s::numeric[]) AS l(code, amount) "
        "JOIN ledger_account a ON a.code = l.code",
        [key, kind, DAY, loan_id, [str(c) for c in codes[: len(amounts)]], amounts],
    )


@pytest.mark.django_db(transaction=True)
def test_orm_cannot_commit_an_unbalanced_transaction():
    with pytest.raises(IntegrityError, match="no lines"), transaction.atomic():
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
    with pytest.raises(IntegrityError, match="no lines"), transaction.atomic():
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
        _raw_entry(cursor, "raw:1", [D("250.00"), D("-200.00")])
    assert counts() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_commit_a_one_line_transaction():
    with (
        pytest.raises(IntegrityError, match="at least two"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _raw_entry(cursor, "raw:one", [D("250.00")])
    assert counts() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_unbalance_a_committed_transaction_by_adding_a_line():
    entry = funding("funding:raw-extra")
    with (
        pytest.raises(IntegrityError, match="already has lines"),
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
def test_raw_sql_cannot_append_balanced_lines_to_a_committed_transaction():
    """Two more lines that balance each other still change what was posted."""
    entry = funding("funding:raw-append")
    with (
        pytest.raises(IntegrityError, match="already has lines"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO ledger_journalline (transaction_id, account_id, amount) "
            "SELECT %s, id, 7.00 FROM ledger_account WHERE code = %s "
            "UNION ALL SELECT %s, id, -7.00 FROM ledger_account WHERE code = %s",
            [entry.pk, AccountCode.SETTLEMENT_BANK, entry.pk, AccountCode.LENDING_CAPITAL],
        )
    assert entry.lines.count() == 2


@pytest.mark.django_db(transaction=True)
def test_raw_sql_balanced_transaction_commits():
    with transaction.atomic(), connection.cursor() as cursor:
        _raw_entry(cursor, "raw:ok", [D("250.00"), D("-250.00")])
    assert counts() == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_raw_sql_lines_before_their_transaction_commit_when_balanced():
    """Lines may come first (the foreign key is checked at commit), their transaction row
    after them; the guard on the transaction row checks it has lines."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_journaltransaction', 'id'))")
        (txn_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ledger_journalline (transaction_id, account_id, amount) "
            "SELECT %s, id, 5.00 FROM ledger_account WHERE code = %s "
            "UNION ALL SELECT %s, id, -5.00 FROM ledger_account WHERE code = %s",
            [txn_id, AccountCode.SETTLEMENT_BANK, txn_id, AccountCode.LENDING_CAPITAL],
        )
        cursor.execute(
            "INSERT INTO ledger_journaltransaction "
            "(id, public_id, idempotency_key, kind, business_date, posted_at, description) "
            "VALUES (%s, gen_random_uuid(), 'raw:lines-first', 'adjustment', %s, now(), '')",
            [txn_id, DAY],
        )
    assert counts() == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_loan_receivable_lines_need_a_loan_except_nightly_accrual_totals():
    with (
        pytest.raises(IntegrityError, match="without a loan"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "WITH h AS (INSERT INTO ledger_journaltransaction "
            "(public_id, idempotency_key, kind, business_date, posted_at, description) "
            "VALUES (gen_random_uuid(), 'raw:repay', 'repayment', %s, now(), '') RETURNING id) "
            "INSERT INTO ledger_journalline (transaction_id, account_id, amount) "
            "SELECT h.id, a.id, CASE a.code WHEN %s THEN 1.00 ELSE -1.00 END FROM h "
            "JOIN ledger_account a ON a.code IN (%s, %s)",
            [
                DAY,
                AccountCode.SETTLEMENT_BANK,
                AccountCode.SETTLEMENT_BANK,
                AccountCode.LOAN_PRINCIPAL,
            ],
        )
    assert counts() == (0, 0)
    with pytest.raises(InvalidInput) as caught:
        post(
            "repayment:no-loan",
            [
                debit(AccountCode.SETTLEMENT_BANK, D("1.00")),
                credit(AccountCode.LOAN_PRINCIPAL, D("1.00")),
            ],
            kind=JournalTransaction.Kind.REPAYMENT,
        )
    assert caught.value.code == "loan_missing"
    post(
        "interest-accrual:chunk:1",
        [
            debit(AccountCode.INTEREST_RECEIVABLE, D("12.34")),
            credit(AccountCode.INTEREST_INCOME, D("12.34")),
        ],
        kind=JournalTransaction.Kind.INTEREST_ACCRUAL,
    )
    assert counts() == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_posted_entries_cannot_be_updated_or_deleted():
    """The application role holds no UPDATE or DELETE on ledger tables; the owner, who
    does, is stopped by the insert-only triggers."""
    entry = funding("funding:immutable")
    line = entry.lines.first()
    refused = r"permission denied|insert-only"
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        JournalLine.objects.filter(pk=line.pk).update(amount=D("1.00"))
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        JournalLine.objects.filter(pk=line.pk).delete()
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        JournalTransaction.objects.filter(pk=entry.pk).update(description="edited")
    with (
        pytest.raises(DatabaseError, match=refused),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ledger_journaltransaction WHERE id = %s", [entry.pk])
    with owner_connect(connection.settings_dict) as owner, owner.cursor() as cursor:
        for sql in (
            "UPDATE ledger_journalline SET amount = 1.00 WHERE id = %s",
            "DELETE FROM ledger_journalline WHERE id = %s",
        ):
            with pytest.raises(psycopg.Error, match="insert-only"), owner.transaction():
                cursor.execute(sql, [line.pk])
    line.refresh_from_db()
    assert line.amount == D("1000000.00")
    assert counts() == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_application_role_cannot_disable_triggers_truncate_or_change_the_chart():
    funding("funding:guarded")
    for sql in (
        "ALTER TABLE ledger_journalline DISABLE TRIGGER ALL",
        "ALTER TABLE ledger_journalline DISABLE TRIGGER ledger_journalline_statement_check",
        "SET session_replication_role = replica",
        "TRUNCATE ledger_journalline, ledger_journaltransaction",
        "UPDATE ledger_account SET name = 'renamed'",
        "DELETE FROM ledger_account",
        "DROP TRIGGER ledger_journalline_insert_only ON ledger_journalline",
    ):
        with (
            pytest.raises(DatabaseError, match=r"must be owner|permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert counts() == (1, 2)
    # Adding an account is the one change the chart allows.
    Account.objects.create(code="1999", name="Suspense", kind="asset")
    assert Account.objects.filter(code="1999").exists()


@pytest.mark.django_db(transaction=True)
def test_owner_truncates_ledger_tables_only_when_the_session_says_so():
    funding("funding:truncate")
    with owner_connect(connection.settings_dict) as owner, owner.cursor() as cursor:
        with pytest.raises(psycopg.Error, match=r"TRUNCATE .* not allowed"), owner.transaction():
            cursor.execute("TRUNCATE ledger_journalline, ledger_journaltransaction")
        with pytest.raises(psycopg.Error, match="only grows"), owner.transaction():
            cursor.execute("UPDATE ledger_account SET name = 'renamed'")
        with owner.transaction(force_rollback=True):
            cursor.execute("SET LOCAL microlend.allow_ledger_truncate = 'on'")
            cursor.execute("TRUNCATE ledger_journalline, ledger_journaltransaction")
            cursor.execute("SELECT count(*) FROM ledger_journalline")
            assert cursor.fetchone() == (0,)
    assert counts() == (1, 2)


def test_set_based_path_posts_many_transactions_in_one_call(db):
    entries = [
        JournalEntry(
            idempotency_key=f"interest-accrual:2024-05-10:chunk:{n}",
            kind=JournalTransaction.Kind.INTEREST_ACCRUAL,
            business_date=DAY,
            postings=[
                debit(AccountCode.INTEREST_RECEIVABLE, D(n) + D("0.01")),
                credit(AccountCode.INTEREST_INCOME, D(n) + D("0.01")),
            ],
        )
        for n in range(50)
    ]
    posted = journal_entries_post(entries=entries, now=timezone.now())
    assert len(posted) == 50
    assert counts() == (50, 100)
    expected = sum((D(n) + D("0.01") for n in range(50)), D(0))
    assert account_balance(code=AccountCode.INTEREST_RECEIVABLE) == expected
    # Re-running the chunk posts nothing twice: refused whole, or the new ones only.
    with pytest.raises(DuplicatePosting):
        journal_entries_post(entries=entries, now=timezone.now())
    assert counts() == (50, 100)
    extra = JournalEntry(
        idempotency_key="interest-accrual:2024-05-10:chunk:50",
        kind=JournalTransaction.Kind.INTEREST_ACCRUAL,
        business_date=DAY,
        postings=[
            debit(AccountCode.INTEREST_RECEIVABLE, D("1.00")),
            credit(AccountCode.INTEREST_INCOME, D("1.00")),
        ],
    )
    again = journal_entries_post(
        entries=[*entries, extra], now=timezone.now(), skip_duplicates=True
    )
    assert [p.idempotency_key for p in again] == [extra.idempotency_key]
    assert counts() == (51, 102)
    assert trial_balance().is_balanced


def test_set_based_path_refuses_the_whole_call_for_one_bad_entry(db):
    good = JournalEntry(
        idempotency_key="adj:good",
        kind=JournalTransaction.Kind.ADJUSTMENT,
        business_date=DAY,
        postings=[
            debit(AccountCode.SETTLEMENT_BANK, D("1.00")),
            credit(AccountCode.LENDING_CAPITAL, D("1.00")),
        ],
    )
    bad = JournalEntry(
        idempotency_key="adj:bad",
        kind=JournalTransaction.Kind.ADJUSTMENT,
        business_date=DAY,
        postings=[
            debit(AccountCode.SETTLEMENT_BANK, D("1.00")),
            credit(AccountCode.LENDING_CAPITAL, D("0.99")),
        ],
    )
    with pytest.raises(InvalidInput) as caught:
        journal_entries_post(entries=[good, bad], now=timezone.now())
    assert caught.value.code == "unbalanced"
    with pytest.raises(InvalidInput) as caught:
        journal_entries_post(entries=[good, good], now=timezone.now())
    assert caught.value.code == "duplicate_key_in_batch"
    assert counts() == (0, 0)


def test_a_large_transaction_is_checked_once(db):
    """10,000 lines in one transaction: the guard sums them once (it used to re-sum the
    whole transaction for every line)."""
    postings = [debit(AccountCode.SETTLEMENT_BANK, D("0.01")) for _ in range(9_999)]
    postings.append(credit(AccountCode.LENDING_CAPITAL, D("99.99")))
    post("adj:big", postings)
    assert counts() == (1, 10_000)
    assert account_balance(code=AccountCode.SETTLEMENT_BANK) == D("99.99")


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


# A loan's receivable accounts need a loan on every event line; the property is about
# balances, so it posts to the accounts that need none.
ACCOUNTS = [code for code in AccountCode if code not in LOAN_RECEIVABLE_ACCOUNTS]
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
