"""Closing a day for one chunk of loans (an id range), in one short transaction: every rule
of the night over the chunk (closing/sql.py), the chunk's accrual totals posted to the
ledger, the chunk marked done. A loan that makes a statement fail is found by halving the
range inside savepoints, left out, and flagged for staff; the others go on.

Running a chunk twice changes nothing: it is done once, under its row's lock."""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from closing import sql
from closing.models import CloseFailure
from common.models import CloseChunk, CloseRun, CloseStep
from common.money import ZERO
from ledger.accounts import AccountCode
from ledger.models import JournalTransaction
from ledger.services import JournalEntry, credit, debit, journal_entries_post
from loans.models import Loan

LOANS_STEP = "loans"
# Counts of a chunk that are not rows written (loans processed, rows whose accrual was
# summed into the chunk's journal transactions).
NOT_WRITTEN = ("loans", "rows_accrued")
ONE_DAY = dt.timedelta(days=1)


@dataclass
class ChunkTotals:
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    compound: Decimal = ZERO
    counts: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def add(self, other: ChunkTotals) -> None:
        self.interest += other.interest
        self.penalty += other.penalty
        self.compound += other.compound
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value
        self.failed += other.failed


def statement_params(
    day: dt.date,
    first: int,
    last: int,
    now: dt.datetime,
    excluded: Sequence[int],
    catch_up: Sequence[int],
) -> dict[str, Any]:
    """The parameters of closing/sql.py's statements for a range of loans and a day."""
    rules = settings.MICROLEND
    return {
        "day": day,
        # The collections of the rows falling due on the day (repayments' statement).
        "on": day,
        "next": day + ONE_DAY,
        "first": first,
        "last": last,
        "now": now,
        "excluded": list(excluded),
        "catch_up": list(catch_up),
        "notice_days": int(rules["CREDIT_REPORT_NOTICE_DAYS"]),
        "remind_dates": [day + ONE_DAY * (1 + int(d)) for d in rules["REMINDER_DAYS_BEFORE"]],
    }


def _statements(params: dict[str, Any]) -> ChunkTotals:
    """Every rule over the range, in order (the accrual reads the state before the day's
    rows fall due)."""
    totals = ChunkTotals()
    statements = sql.CATCH_UP if params["catch_up"] else sql.CHUNK
    with connection.cursor() as cursor:
        cursor.execute(statements.accrue, params)
        interest, penalty, compound, rows = cursor.fetchone()
        totals.interest, totals.penalty, totals.compound = (
            Decimal(interest),
            Decimal(penalty),
            Decimal(compound),
        )
        totals.counts["rows_accrued"] = int(rows)
        cursor.execute(statements.roll_periods, params)
        ended, started = cursor.fetchone()
        totals.counts["fell_due"] = int(ended)
        totals.counts["periods_started"] = int(started)
        cursor.execute(statements.mark_overdue, params)
        moved, records, reports, notices = cursor.fetchone()
        totals.counts.update(
            overdue=int(moved),
            overdue_records=int(records),
            credit_reports=int(reports),
            overdue_notices=int(notices),
        )
        cursor.execute(statements.queue_collections, params)
        (collections,) = cursor.fetchone()
        totals.counts["collections"] = int(collections)
        cursor.execute(statements.loans_in_range, params)
        (loans,) = cursor.fetchone()
        totals.counts["loans"] = int(loans)
    return totals


def _isolating(
    day: dt.date,
    first: int,
    last: int,
    now: dt.datetime,
    excluded: list[int],
    catch_up: Sequence[int],
) -> ChunkTotals:
    """The range's statements in a savepoint; a failure is halved until the loan that
    causes it is found, which is left out (its error kept) while the rest go on."""
    try:
        with transaction.atomic():
            return _statements(statement_params(day, first, last, now, excluded, catch_up))
    except DatabaseError as exc:
        loans = list(
            Loan.objects.filter(pk__gte=first, pk__lte=last)
            .exclude(pk__in=excluded)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(loans) <= 1:
            totals = ChunkTotals()
            if loans:
                excluded.append(loans[0])
                totals.failed.append((loans[0], str(exc).strip()[:2000]))
            return totals
        middle = loans[len(loans) // 2 - 1]
        totals = _isolating(day, first, middle, now, excluded, catch_up)
        totals.add(_isolating(day, middle + 1, last, now, excluded, catch_up))
        return totals


def accrual_entries(
    totals: ChunkTotals, *, day: dt.date, key: str, loan_id: int | None = None
) -> list[JournalEntry]:
    """The night's accrual of a chunk (or of one loan being caught up), one balanced
    transaction per component with something to post."""
    entries = []
    for kind, amount, receivable, income in (
        (
            JournalTransaction.Kind.INTEREST_ACCRUAL,
            totals.interest,
            AccountCode.INTEREST_RECEIVABLE,
            AccountCode.INTEREST_INCOME,
        ),
        (
            JournalTransaction.Kind.PENALTY_ACCRUAL,
            totals.penalty,
            AccountCode.PENALTY_RECEIVABLE,
            AccountCode.PENALTY_INCOME,
        ),
        (
            JournalTransaction.Kind.COMPOUND_ACCRUAL,
            totals.compound,
            AccountCode.COMPOUND_INTEREST_RECEIVABLE,
            AccountCode.COMPOUND_INTEREST_INCOME,
        ),
    ):
        if amount == 0:
            continue
        if amount < 0:
            # Never expected (cumulative amounts only grow); posted as it is, so the ledger
            # keeps agreeing with the loans, and visible as a credit to the receivable.
            receivable, income = income, receivable
            amount = -amount
        entries.append(
            JournalEntry(
                idempotency_key=f"{kind}:{day}:{key}",
                kind=kind,
                business_date=day,
                postings=[debit(receivable, amount, loan_id), credit(income, amount, loan_id)],
                description=f"Accrual of {day} ({key})",
            )
        )
    return entries


def chunk_close(*, chunk_id: int, now: dt.datetime) -> CloseChunk:
    """Close the chunk's loans for its run's day. Safe to run twice (and from two workers
    at once): the chunk row is locked and a done chunk is returned as it is."""
    started = time.monotonic()
    with transaction.atomic(durable=True):
        chunk = (
            CloseChunk.objects.select_for_update(of=("self",))
            .select_related("step__run")
            .get(pk=chunk_id)
        )
        if chunk.state == CloseChunk.State.DONE:
            return chunk
        run = chunk.step.run
        day = run.business_date
        if connection.vendor == "postgresql":
            # The chunk's commit does not wait for its WAL to reach the disk (a chunk
            # writes tens of megabytes of it, most of it full-page images): a chunk lost
            # in a crash is pending again and is closed again, and nothing outside the
            # database acts on it before the next day is opened, whose commit is
            # synchronous and makes every earlier commit durable with it (ADR 0003).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            excluded: list[int] = []
            totals = _isolating(day, chunk.first_loan_id, chunk.last_loan_id, now, excluded, ())
        else:
            from closing.python import chunk_close_python

            totals = chunk_close_python(
                day=day, first=chunk.first_loan_id, last=chunk.last_loan_id, now=now
            )
        journal_entries_post(
            entries=accrual_entries(totals, day=day, key=f"chunk:{chunk.first_loan_id}"),
            now=now,
            skip_duplicates=True,
        )
        for loan_id, error in totals.failed:
            loan_flag(run=run, loan_id=loan_id, step=LOANS_STEP, error=error, now=now)
        chunk.state = CloseChunk.State.DONE
        chunk.attempts += 1
        chunk.loans = totals.counts.get("loans", 0)
        chunk.failed_loans = len(totals.failed)
        chunk.rows_written = sum(v for k, v in totals.counts.items() if k not in NOT_WRITTEN)
        chunk.counts = {
            **totals.counts,
            "interest": str(totals.interest),
            "penalty": str(totals.penalty),
            "compound": str(totals.compound),
        }
        chunk.finished_at = now
        chunk.duration_ms = int((time.monotonic() - started) * 1000)
        chunk.save()
    return chunk


def loan_flag(*, run: CloseRun, loan_id: int, step: str, error: str, now: dt.datetime) -> None:
    """Leave a loan out of this day's close: it is recognised by the ledger only up to the
    day (its first date still to close) and shown to staff with the error."""
    with connection.cursor() as cursor:
        cursor.execute(sql.FLAG_LOAN, {"day": run.business_date, "loan_id": loan_id})
    CloseFailure.objects.get_or_create(
        run=run,
        loan_id=loan_id,
        step=step,
        defaults={"business_date": run.business_date, "error": error, "occurred_at": now},
    )


def loan_catch_up(*, loan_id: int, until: dt.date, now: dt.datetime) -> bool:
    """Close a flagged loan's missing days one after another, in order, up to (not
    including) `until`, each in its own transaction; True when it is up to date (its flag
    cleared, its failures resolved). A day that fails again leaves it flagged from there."""
    while True:
        loan = Loan.objects.get(pk=loan_id)
        day = loan.close_pending_from
        if day is None:
            return True
        if day >= until:
            with transaction.atomic(durable=True):
                Loan.objects.filter(pk=loan_id, close_pending_from=day).update(
                    close_pending_from=None
                )
                CloseFailure.objects.filter(loan_id=loan_id, resolved_at__isnull=True).update(
                    resolved_at=now
                )
            return True
        try:
            with transaction.atomic(durable=True):
                locked = Loan.objects.select_for_update().get(pk=loan_id)
                if locked.close_pending_from != day:
                    continue
                if connection.vendor == "postgresql":
                    totals = _statements(
                        statement_params(day, loan_id, loan_id, now, (), (loan_id,))
                    )
                else:
                    from closing.python import chunk_close_python

                    totals = chunk_close_python(
                        day=day, first=loan_id, last=loan_id, now=now, catch_up=True
                    )
                journal_entries_post(
                    entries=accrual_entries(
                        totals, day=day, key=f"loan:{locked.public_id}", loan_id=loan_id
                    ),
                    now=now,
                    skip_duplicates=True,
                )
                locked.close_pending_from = day + ONE_DAY
                locked.save(update_fields=["close_pending_from"])
        except DatabaseError:
            return False


def id_ranges(low: int | None, high: int | None, size: int) -> list[tuple[int, int]]:
    """[low, high] as consecutive ranges of at most `size` ids (none when empty)."""
    if low is None or high is None:
        return []
    return [(first, min(first + size - 1, high)) for first in range(low, high + 1, size)]


def chunks_plan(*, run: CloseRun, step_name: str, now: dt.datetime) -> list[int]:
    """The step's chunks (made once per run): loan-id ranges of `CLOSE_CHUNK_SIZE` ids
    over the open loans. Returns the ids of the chunks not yet done."""
    step = CloseStep.objects.get(run=run, step=step_name)
    if not step.chunks.exists():
        with connection.cursor() as cursor:
            cursor.execute(sql.ID_RANGE)
            low, high = cursor.fetchone()
        size = int(settings.MICROLEND["CLOSE_CHUNK_SIZE"])
        CloseChunk.objects.bulk_create(
            [
                CloseChunk(step=step, first_loan_id=first, last_loan_id=last)
                for first, last in id_ranges(low, high, size)
            ],
            ignore_conflicts=True,
        )
        CloseStep.objects.filter(pk=step.pk).update(chunks_total=step.chunks.count())
    return list(
        step.chunks.filter(state=CloseChunk.State.PENDING)
        .order_by("first_loan_id")
        .values_list("pk", flat=True)
    )


def close_loans(
    *,
    run_id: int,
    business_date: dt.date,
    now: dt.datetime,
    progress: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, int]:
    """Close every open loan for the run's day, chunk by chunk: in this process one after
    another (the embedded default, tests, the command without workers), over a few
    connections of this process (`MICROLEND["CLOSE_WORKERS"] = "threads"`), or spread over the
    Celery workers (`MICROLEND["CLOSE_WORKERS"] = "celery"`), which any number of processes
    on any number of machines share through Redis and PostgreSQL. Either way the database
    decides what is done: a chunk lost by the broker is sent again; a chunk run twice is
    done once."""
    run = CloseRun.objects.get(pk=run_id)
    pending = chunks_plan(run=run, step_name=LOANS_STEP, now=now)
    total = CloseChunk.objects.filter(step__run=run, step__step=LOANS_STEP).count()
    done_before = total - len(pending)
    workers = settings.MICROLEND["CLOSE_WORKERS"]
    if workers == "celery":
        _run_on_workers(pending, now=now, progress=progress, done_before=done_before, total=total)
    elif workers == "threads" and connection.vendor == "postgresql":
        _run_in_threads(pending, now=now, progress=progress, done_before=done_before, total=total)
    else:
        for index, chunk_id in enumerate(pending, start=1):
            chunk = chunk_close(chunk_id=chunk_id, now=now)
            if progress is not None:
                progress(
                    "chunk",
                    {"done": done_before + index, "total": total, "loans": chunk.loans},
                )
    step = CloseStep.objects.get(run=run, step=LOANS_STEP)
    done = step.chunks.filter(state=CloseChunk.State.DONE)
    totals: dict[str, int] = {}
    for counts in done.values_list("counts", flat=True):
        for key, value in counts.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    failed = sum(done.values_list("failed_loans", flat=True))
    CloseStep.objects.filter(pk=step.pk).update(
        chunks_done=done.count(),
        loans_total=totals.get("loans", 0) + failed,
        loans_done=totals.get("loans", 0),
        rows_written=sum(v for k, v in totals.items() if k not in NOT_WRITTEN),
        errors=failed,
    )
    return {**totals, "failed_loans": failed}


def _run_in_threads(
    chunk_ids: list[int],
    *,
    now: dt.datetime,
    progress: Callable[[str, dict[str, Any]], None] | None,
    done_before: int,
    total: int,
) -> None:
    """The chunks over `CLOSE_THREADS` database connections of this process (one per
    thread, kept for all its chunks), for a lender who closes from one machine without
    workers: the database does the work, so a connection per core keeps its cores busy."""
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for chunk_id in chunk_ids:
        pending.put(chunk_id)
    finished: queue.SimpleQueue[CloseChunk | BaseException] = queue.SimpleQueue()

    def work() -> None:
        try:
            while True:
                try:
                    chunk_id = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    finished.put(chunk_close(chunk_id=chunk_id, now=now))
                except BaseException as exc:  # handed to the closing thread, raised there
                    finished.put(exc)
                    return
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, name=f"close-{index}")
        for index in range(max(1, int(settings.MICROLEND["CLOSE_THREADS"])))
    ]
    for thread in threads:
        thread.start()
    try:
        for index in range(1, len(chunk_ids) + 1):
            outcome = finished.get()
            if isinstance(outcome, BaseException):
                raise outcome
            if progress is not None:
                progress(
                    "chunk",
                    {"done": done_before + index, "total": total, "loans": outcome.loans},
                )
    finally:
        while not pending.empty():  # a failure stops the others after their chunk
            try:
                pending.get_nowait()
            except queue.Empty:
                break
        for thread in threads:
            thread.join()


def _run_on_workers(
    chunk_ids: list[int],
    *,
    now: dt.datetime,
    progress: Callable[[str, dict[str, Any]], None] | None,
    done_before: int,
    total: int,
) -> None:
    """Queue the chunks and wait for the database to say they are all done, sending again
    any chunk that no worker finished within `CLOSE_CHUNK_RESEND_SECONDS`."""
    from closing.tasks import close_chunk_task

    def send(ids: list[int]) -> None:
        for chunk_id in ids:
            close_chunk_task.apply_async(kwargs={"chunk_id": chunk_id, "now": now.isoformat()})

    send(chunk_ids)
    resend_after = float(settings.MICROLEND["CLOSE_CHUNK_RESEND_SECONDS"])  # float-ok: seconds
    sent_at = time.monotonic()
    remaining = set(chunk_ids)
    while remaining:
        time.sleep(0.05)  # float-ok: poll interval
        finished = set(
            CloseChunk.objects.filter(pk__in=remaining, state=CloseChunk.State.DONE).values_list(
                "pk", flat=True
            )
        )
        remaining -= finished
        if finished and progress is not None:
            progress("chunk", {"done": total - len(remaining), "total": total})
        if remaining and time.monotonic() - sent_at > resend_after:
            send(sorted(remaining))
            sent_at = time.monotonic()
