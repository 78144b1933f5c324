"""The close of business over real loans: accruals to the fen (and reconciled with the
ledger after every close), due and overdue with penalty and compound interest, records,
reminders, collections, idempotency, a failing loan isolated and caught up, a payment
racing a chunk, and the embedded default's loan-by-loan close giving the same figures."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from closing.chunks import LOANS_STEP, chunk_close
from closing.followups import (
    FOLLOW_UPS,
    SEND_COLLECTIONS,
    SEND_REMINDERS,
    close_followups_run,
    followup_chunk_run,
)
from closing.models import CloseFailure
from closing.python import chunk_close_python
from closing.services import business_day_close, business_days_close_until
from common.models import BusinessCalendar, CloseChunk, CloseRun, CloseStep
from common.selectors import business_date_for_money, business_date_get
from ledger.models import JournalLine, JournalTransaction
from loans.models import Installment, Loan
from loans.reconciliation import ledger_reconcile
from notifications.models import Notification
from repayments.models import CreditReportRecord, OverdueRecord, Repayment
from repayments.services import repayment_submit
from tests.loans.factories import MicroProductFactory, borrower
from tests.repayments.factories import disbursed_loan

D = Decimal
DRAWN = dt.date(2024, 3, 10)
ONE = dt.timedelta(days=1)


def open_on(day):
    BusinessCalendar.objects.filter(pk=1).update(current_date=day, state="open")


def close_through(day, followups=()):
    """Close every date through `day`; with `followups`, those follow-up steps of each
    run right after it, as a worker would (the collections are left queued by default)."""
    if not followups:
        return business_days_close_until(until=day, now=timezone.now())
    runs = []
    while business_date_get() <= day:
        run = business_day_close(business_date=business_date_get(), now=timezone.now())
        assert run is not None
        close_followups_run(run_id=run.pk, only=followups)
        runs.append(run)
    return runs


def micro_loans(count):
    """`count` loans of 10,000.00 at 0.05%/day, 10 periods, equal principal, drawn
    2024-03-10 (DOMAIN.md), each to its own borrower."""
    open_on(DRAWN)
    product = MicroProductFactory.create()
    return [
        disbursed_loan(
            borrower(business_date=DRAWN),
            product,
            amount="10000",
            term=10,
            method="equal_principal",
            on=DRAWN,
        )
        for _ in range(count)
    ]


def loans_step_of(day):
    """A started run of `day` with its `loans` step, as the close makes them, no chunk yet."""
    run = CloseRun.objects.create(business_date=day, source="staff", started_at=timezone.now())
    return CloseStep.objects.create(run=run, step="loans", position=4, started_at=timezone.now())


@pytest.fixture
def micro_loan(db):
    """10,000.00 at 0.05%/day, 10 periods, equal principal, drawn 2024-03-10 (DOMAIN.md)."""
    (loan,) = micro_loans(1)
    return loan


def accrued(kind):
    """What the ledger recognised of one kind of accrual (the debits to its receivable)."""
    lines = JournalLine.objects.filter(transaction__kind=kind, amount__gt=0)
    return sum((line.amount for line in lines), D(0))


def test_daily_accruals_add_up_to_each_periods_interest_and_reconcile(micro_loan):
    first = micro_loan.installments.get(number=1)
    close_through(first.due_date - ONE)  # every day of period 1
    assert accrued("interest_accrual") == first.interest == D("155.00")
    report = ledger_reconcile(business_date=business_date_get())
    assert report.is_clean, report
    first.refresh_from_db()
    assert first.status == Installment.Status.DUE
    assert not first.accruing
    second = micro_loan.installments.get(number=2)
    assert second.accruing
    # The collection of the installment due that day was queued for after the close.
    close_through(first.due_date)
    collection = Repayment.objects.get(kind="collection")
    assert collection.amount == D("1155.00")
    assert collection.status == "pending"
    assert ledger_reconcile(business_date=business_date_get()).is_clean


def test_penalty_and_compound_on_the_domain_example(micro_loan):
    """Installment 2 (1,000.00 + 135.00, due 2024-05-10) paid on 2024-05-15, past grace:
    penalty 1,000 × 0.075% × 5 = 3.75, compound 135 × 0.075% × 5 = 0.51."""
    first = micro_loan.installments.get(number=1)
    close_through(first.due_date - ONE)
    repayment_submit(
        borrower=micro_loan.borrower,
        loan_public_id=micro_loan.public_id,
        amount=D("1155.00"),
        idempotency_key="r1",
        business_date=first.due_date,
        now=timezone.now(),
    )
    close_through(dt.date(2024, 5, 14))
    assert business_date_get() == dt.date(2024, 5, 15)
    second = micro_loan.installments.get(number=2)
    assert second.status == Installment.Status.OVERDUE
    record = OverdueRecord.objects.get(installment=second)
    assert record.overdue_from == dt.date(2024, 5, 12)
    assert CreditReportRecord.objects.get(overdue_record=record).state == "pending_notice"
    assert Notification.objects.filter(kind="repayment_overdue").exists()
    assert accrued("penalty_accrual") == D("3.75")
    assert accrued("compound_accrual") == D("0.51")
    assert ledger_reconcile(business_date=business_date_get()).is_clean
    repayment = repayment_submit(
        borrower=micro_loan.borrower,
        loan_public_id=micro_loan.public_id,
        amount=D("1139.26"),
        idempotency_key="r2",
        business_date=business_date_get(),
        now=timezone.now(),
    )
    assert {(a.component, a.amount) for a in repayment.allocations.all()} == {
        ("penalty", D("3.75")),
        ("compound", D("0.51")),
        ("interest", D("135.00")),
        ("principal", D("1000.00")),
    }
    second.refresh_from_db()
    assert second.status == Installment.Status.PAID
    record.refresh_from_db()
    assert record.settled_date == dt.date(2024, 5, 15)
    assert record.retain_until == dt.date(2029, 5, 15)
    close_through(dt.date(2024, 5, 20))
    assert accrued("penalty_accrual") == D("3.75")  # nothing more once paid
    assert ledger_reconcile(business_date=business_date_get()).is_clean


def test_closing_the_same_date_twice_changes_nothing_the_second_time(micro_loan):
    business_day_close(business_date=DRAWN, now=timezone.now())
    before = (JournalTransaction.objects.count(), CloseChunk.objects.count())
    assert business_day_close(business_date=DRAWN, now=timezone.now()) is None
    assert (JournalTransaction.objects.count(), CloseChunk.objects.count()) == before
    # And a chunk run again (a duplicate delivery) is a no-op.
    chunk = CloseChunk.objects.get(step__step=LOANS_STEP)
    chunk_close(chunk_id=chunk.pk, now=timezone.now())
    assert JournalTransaction.objects.count() == before[0]


def test_reminders_before_on_and_after_the_due_date(micro_loan):
    first = micro_loan.installments.get(number=1)
    close_through(first.due_date + dt.timedelta(days=9), followups=(SEND_REMINDERS,))
    kinds = list(
        Notification.objects.filter(user=micro_loan.borrower)
        .order_by("created_at", "pk")
        .values_list("kind", "context__days")
    )
    assert ("repayment_due_soon", "3") in kinds  # (kind, days before)
    assert ("repayment_due_soon", "1") in kinds
    assert ("repayment_due_today", "0") in kinds
    assert any(kind == "repayment_overdue" for kind, _ in kinds)
    # The close wrote none of them itself: they are the follow-up step's, with its counts
    # (the night before the due date: the due-today reminder).
    eve = first.due_date - ONE
    step = CloseStep.objects.get(run__business_date=eve, step=SEND_REMINDERS)
    assert step.state == "completed"
    assert step.chunks_done == step.chunks_total == 1
    assert step.counts["reminders"] >= 1
    assert step.counts["deliveries"] == step.counts["sent"] >= step.counts["reminders"]
    # A rerun of a day's chunk, or of its reminders, writes no reminder twice.
    count = Notification.objects.count()
    for name in (LOANS_STEP, SEND_REMINDERS):
        chunk = CloseChunk.objects.get(step__run__business_date=eve, step__step=name)
        CloseChunk.objects.filter(pk=chunk.pk).update(state="pending", finished_at=None)
    chunk_close(
        chunk_id=CloseChunk.objects.get(step__run__business_date=eve, step__step=LOANS_STEP).pk,
        now=timezone.now(),
    )
    close_followups_run(run_id=step.run_id, only=(SEND_REMINDERS,))
    assert Notification.objects.count() == count


def _break_loan(loan):
    """A loan the close cannot process: a trigger (made by the owner role) refuses any
    change to its installments, as corrupt data would."""
    from common.db.postgresql.base import owner_connect

    with owner_connect(connection.settings_dict) as owner, owner.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'installment % is corrupt', OLD.id; END; $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse BEFORE UPDATE ON loans_installment FOR EACH ROW "
            f"WHEN (OLD.loan_id = {int(loan.pk)}) EXECUTE FUNCTION test_refuse()"
        )
        owner.commit()


def _mend():
    from common.db.postgresql.base import owner_connect

    with owner_connect(connection.settings_dict) as owner, owner.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS test_refuse ON loans_installment")
        owner.commit()


@pytest.mark.django_db(transaction=True)
def test_a_loan_that_fails_is_left_out_flagged_and_caught_up_later():
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()
    open_on(DRAWN)
    product = MicroProductFactory.create()
    healthy = disbursed_loan(
        borrower(business_date=DRAWN),
        product,
        amount="10000",
        term=10,
        method="equal_principal",
        on=DRAWN,
        key="ok",
    )
    broken = disbursed_loan(
        borrower(business_date=DRAWN),
        product,
        amount="5000",
        term=5,
        method="equal_principal",
        on=DRAWN,
        key="bad",
    )
    first_due = healthy.installments.get(number=1).due_date
    close_through(first_due - dt.timedelta(days=2))
    _break_loan(broken)
    try:
        close_through(first_due)  # the day its first row falls due: the roll fails
    finally:
        _mend()
    broken.refresh_from_db()
    assert broken.close_pending_from == first_due - ONE
    failure = CloseFailure.objects.get(loan=broken)
    assert "corrupt" in failure.error
    assert failure.resolved_at is None
    healthy_row = healthy.installments.get(number=1)
    assert healthy_row.status == Installment.Status.DUE
    assert business_date_get() == first_due + ONE
    # The ledger recognises the broken loan only up to its flag; it still reconciles.
    assert ledger_reconcile(business_date=business_date_get()).is_clean
    # The next close catches its missing days up first, in order, then closes it with
    # the others.
    close_through(first_due + ONE)
    assert Loan.objects.get(pk=broken.pk).close_pending_from is None
    # Its days were closed as the others' were: two days after its due date it is overdue
    # like the healthy loan's, with its record.
    assert business_date_get() == first_due + 2 * ONE
    for loan in (broken, healthy):
        assert loan.installments.get(number=1).status == Installment.Status.OVERDUE
        assert OverdueRecord.objects.filter(loan=loan).count() == 1
    assert CloseFailure.objects.get(loan=broken).resolved_at is not None
    assert ledger_reconcile(business_date=business_date_get()).is_clean


@pytest.mark.django_db(transaction=True)
def test_a_payment_during_the_close_waits_for_its_loans_chunk():
    """While the close runs, a payment for a loan is applied after the close has processed
    that loan (valued the next day), never half-way through it."""
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()
    (loan,) = micro_loans(1)
    day = loan.installments.get(number=1).due_date
    close_through(day - ONE)
    step = loans_step_of(day)
    chunk = CloseChunk.objects.create(step=step, first_loan_id=loan.pk, last_loan_id=loan.pk)
    BusinessCalendar.objects.filter(pk=1).update(state="closing")
    seen: list[object] = []

    def pay():
        try:
            seen.append(business_date_for_money(loan_id=loan.pk, wait=dt.timedelta(seconds=20)))
        finally:
            connection.close()

    payer = threading.Thread(target=pay)
    payer.start()
    time.sleep(0.5)  # float-ok: give the payer time to be waiting
    assert seen == []  # still waiting: the loan's chunk is not done
    assert business_date_for_money(wait=dt.timedelta(0)) == day + ONE  # new money goes on
    chunk_close(chunk_id=chunk.pk, now=timezone.now())
    payer.join(timeout=30)
    assert seen == [day + ONE]


def test_the_embedded_default_closes_a_chunk_to_the_same_figures(micro_loan, db):
    """The loan-by-loan close (SQLite's) and the set-based SQL agree, rule by rule."""
    from closing.chunks import _statements, statement_params

    first = micro_loan.installments.get(number=1)
    close_through(first.due_date - dt.timedelta(days=2))
    day = business_date_get()
    from django.db import transaction

    with transaction.atomic():
        sid = transaction.savepoint()
        sql_totals = _statements(
            statement_params(day, micro_loan.pk, micro_loan.pk, timezone.now(), (), ())
        )
        transaction.savepoint_rollback(sid)
        python_totals = chunk_close_python(
            day=day, first=micro_loan.pk, last=micro_loan.pk, now=timezone.now()
        )
    assert (sql_totals.interest, sql_totals.penalty, sql_totals.compound) == (
        python_totals.interest,
        python_totals.penalty,
        python_totals.compound,
    )
    assert sql_totals.counts == python_totals.counts
    assert Loan.objects.filter(pk=micro_loan.pk).exists()


def test_after_the_close_its_follow_up_steps_charge_and_send_and_report_progress(micro_loan):
    """The close only queues; the follow-up steps after it write and send the reminders,
    charge the bound card (valued on the open day) and send the notices, each step with
    its chunks, counts and rate, each chunk done once."""
    from notifications.models import NotificationDelivery

    first = micro_loan.installments.get(number=1)
    close_through(first.due_date - ONE - ONE, followups=(SEND_REMINDERS,))
    # The night before the due date (the due-today reminder), then the due date (the
    # collection).
    eve = business_day_close(business_date=first.due_date - ONE, now=timezone.now())
    assert eve is not None
    assert not Notification.objects.filter(created_at=eve.started_at).exists()
    close_followups_run(run_id=eve.pk)
    run = business_day_close(business_date=first.due_date, now=timezone.now())
    assert run is not None
    collection = Repayment.objects.get(kind="collection", business_date=first.due_date)
    assert collection.status == "pending"
    steps = CloseStep.objects.filter(run__in=[eve, run], step__in=FOLLOW_UPS)
    assert sorted(steps.filter(run=run).values_list("step", flat=True)) == sorted(FOLLOW_UPS)

    figures = close_followups_run(run_id=run.pk)

    collection.refresh_from_db()
    assert collection.status == "succeeded"
    first.refresh_from_db()
    assert first.status == Installment.Status.PAID
    assert first.paid_date == first.due_date + ONE
    assert ledger_reconcile(business_date=business_date_get()).is_clean
    assert figures[SEND_COLLECTIONS]["collections"] == 1
    assert figures[SEND_COLLECTIONS]["succeeded"] == 1
    assert figures[SEND_COLLECTIONS]["per_second"] > 0
    for step in steps:
        assert step.state == "completed", step.step
        assert step.chunks_done == step.chunks_total
        assert step.finished_at is not None
    notices = Notification.objects.filter(created_at=eve.started_at, user=micro_loan.borrower)
    assert notices.filter(kind="repayment_due_today").exists()
    user = micro_loan.borrower
    channels = [
        channel for channel, address in (("email", user.email), ("sms", user.phone)) if address
    ]
    assert channels
    deliveries = NotificationDelivery.objects.filter(notification__in=notices)
    assert deliveries.count() == len(channels) * notices.count()
    assert set(deliveries.values_list("status", flat=True)) == {"sent"}

    # Every chunk run again (a duplicate task): nothing is made, sent or charged twice.
    made = (Notification.objects.count(), deliveries.count())
    CloseChunk.objects.filter(step__in=steps).update(state="pending", finished_at=None)
    for chunk in CloseChunk.objects.filter(step__in=steps):
        followup_chunk_run(chunk_id=chunk.pk)
    assert (Notification.objects.count(), deliveries.count()) == made
    assert JournalTransaction.objects.filter(kind="repayment").count() == 1
    # A done chunk is left alone.
    assert followup_chunk_run(chunk_id=CloseChunk.objects.filter(step__in=steps)[0].pk) is None


@pytest.mark.django_db(transaction=True)
def test_chunks_over_several_connections_close_every_loan_once(settings):
    """`MICROLEND_CLOSE_WORKERS=threads`: the chunks of the night spread over two database
    connections of the closing process; every loan is closed once and the ledger agrees."""
    settings.MICROLEND = {
        **settings.MICROLEND,
        "CLOSE_WORKERS": "threads",
        "CLOSE_THREADS": 2,
        "CLOSE_CHUNK_SIZE": 1,
    }
    open_on(DRAWN)
    product = MicroProductFactory.create()
    loans = [
        disbursed_loan(
            borrower(business_date=DRAWN),
            product,
            amount=amount,
            term=10,
            method="equal_principal",
            on=DRAWN,
        )
        for amount in ("10000", "2000", "500")
    ]
    first_rows = [loan.installments.get(number=1) for loan in loans]
    close_through(first_rows[0].due_date - ONE)
    steps = CloseStep.objects.filter(step=LOANS_STEP)
    assert steps.count() == (first_rows[0].due_date - DRAWN).days
    for step in steps:
        assert step.state == "completed"
        assert step.chunks_done == step.chunks_total >= len(loans)
    assert accrued("interest_accrual") == sum(row.interest for row in first_rows)
    report = ledger_reconcile(business_date=business_date_get())
    assert report.is_clean, report


def test_follow_up_chunks_left_pending_are_queued_again_by_the_sweep(micro_loan):
    """A follow-up chunk whose task was lost (a killed worker, a restarted broker) is
    found by the beat's sweep once its step is ten minutes old, and none once done."""
    from closing.followups import close_followups_stale

    first = micro_loan.installments.get(number=1)
    close_through(first.due_date)  # every night's follow-ups left queued
    pending = set(CloseChunk.objects.filter(step__step__in=FOLLOW_UPS).values_list("pk", flat=True))
    assert pending
    assert close_followups_stale(older_than=timezone.now() - dt.timedelta(minutes=10)) == []
    later = timezone.now() + dt.timedelta(minutes=11)
    assert set(close_followups_stale(older_than=later - dt.timedelta(minutes=10))) == pending
    for run in CloseRun.objects.order_by("business_date"):
        close_followups_run(run_id=run.pk)
    assert close_followups_stale(older_than=later) == []


def _session_of_this_thread(pids):
    """Note this thread's database session (its backend's pid) in `pids`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pids.append(cursor.fetchone()[0])


def _waiting_on_a_lock(pids, timeout: float = 10.0) -> bool:  # float-ok: seconds
    """Whether the session noted in `pids` waits for a lock, within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity"
                    " WHERE pid = %s AND wait_event_type = 'Lock'",
                    [pids[0]],
                )
                if cursor.fetchone()[0]:
                    return True
        time.sleep(0.05)  # float-ok: poll interval
    return False


def _holding(sql, params):
    """A thread holding the row locks of `sql` until `release` is set (another session
    in the middle of its transaction)."""
    from django.db import transaction

    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(timeout=10)
    return thread, release


@pytest.mark.django_db(transaction=True)
def test_a_chunk_held_up_does_not_hold_up_the_other_chunks_of_its_run():
    """Two workers close two chunks of one night at the same time: a chunk waiting for a
    row (here a payment's lock on one of its installments) keeps only its own chunk's
    lock, so the other chunk closes meanwhile; the first one ends once the row is free."""
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()
    loans = micro_loans(2)
    # The eve of the first due date: the night its rows fall due.
    day = loans[0].installments.get(number=1).due_date - ONE
    close_through(day - ONE)
    step = loans_step_of(day)
    first, second = (
        CloseChunk.objects.create(step=step, first_loan_id=loan.pk, last_loan_id=loan.pk)
        for loan in loans
    )
    holder, release = _holding(
        "SELECT id FROM loans_installment WHERE loan_id = %s AND number = 1 FOR UPDATE",
        [loans[0].pk],
    )
    outcome: list[object] = []
    pids: list[int] = []

    def close_first():
        try:
            _session_of_this_thread(pids)
            outcome.append(chunk_close(chunk_id=first.pk, now=timezone.now()).state)
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connection.close()

    closer = threading.Thread(target=close_first)
    closer.start()
    try:
        assert _waiting_on_a_lock(pids), outcome  # the first chunk waits for the row
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
        try:
            assert chunk_close(chunk_id=second.pk, now=timezone.now()).state == "done"
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        assert outcome == []  # the first one still waits
    finally:
        release.set()
        holder.join(timeout=30)
        closer.join(timeout=30)
    assert not closer.is_alive()
    assert outcome == ["done"]
    rows = Installment.objects.filter(loan__in=loans, number=1)
    assert set(rows.values_list("status", flat=True)) == {"due"}
    assert set(rows.values_list("accruing", flat=True)) == {False}
    assert Installment.objects.filter(loan__in=loans, number=2, accruing=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_follow_up_chunk_is_claimed_while_its_step_is_being_updated():
    """A worker recording its follow-up chunk's progress holds the step's row; another
    worker's chunk of that step is still claimed and run (not skipped as if another worker
    held it), and it records its own progress once the step's row is free."""
    from tests.conftest import _ensure_reference_data

    _ensure_reference_data()
    (loan,) = micro_loans(1)
    day = loan.installments.get(number=1).due_date
    run = list(close_through(day - ONE))[-1]
    chunk = CloseChunk.objects.filter(step__run=run, step__step=SEND_REMINDERS).get()
    holder, release = _holding(
        f"SELECT id FROM {CloseStep._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
        [chunk.step_id],
    )
    outcome: list[object] = []
    pids: list[int] = []

    def work():
        try:
            _session_of_this_thread(pids)
            outcome.append(followup_chunk_run(chunk_id=chunk.pk))
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        # The chunk is claimed and its work done; the worker then waits for the step's row.
        assert _waiting_on_a_lock(pids), outcome
    finally:
        release.set()
        holder.join(timeout=30)
        worker.join(timeout=30)
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], dict), outcome
    chunk.refresh_from_db()
    assert chunk.state == "done"
    assert Notification.objects.filter(user=loan.borrower, kind="repayment_due_today").exists()


def test_the_pending_money_sweep_waits_while_a_close_runs(micro_loan):
    """A collection the close queued is not charged by the beat's sweep of pending money
    while a close is running (its chunk's commit is not yet durable, and money for a loan
    waits for the close); once the day is open the sweep charges it."""
    from repayments.tasks import RESEND_AFTER, repayments_resend_pending

    first = micro_loan.installments.get(number=1)
    close_through(first.due_date)
    collection = Repayment.objects.get(kind="collection", business_date=first.due_date)
    Repayment.objects.filter(pk=collection.pk).update(
        requested_at=timezone.now() - RESEND_AFTER - ONE
    )
    BusinessCalendar.objects.filter(pk=1).update(state="closing")
    assert repayments_resend_pending() == 0
    collection.refresh_from_db()
    assert (collection.status, collection.attempts) == ("pending", 0)

    BusinessCalendar.objects.filter(pk=1).update(state="open")
    assert repayments_resend_pending() == 1
    collection.refresh_from_db()
    assert collection.status == "succeeded"
    assert ledger_reconcile(business_date=business_date_get()).is_clean
