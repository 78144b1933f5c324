"""What runs after a close (DOMAIN.md §7, issue of money that leaves): the close itself
writes collection outbox rows and the overdue notices, set-based, and queues the rest.
Once the next day is open, three follow-up steps of the run, each in chunks that any worker
takes (`closing.tasks.close_followup_chunk_task`), do what must not hold the close:

- `send_reminders`: per chunk of loans of the night, the reminders (before the due date, on
  it, weekly while overdue; decided on the state when the chunk runs, so a row paid since
  gets none) written set-based, then e-mailed and texted;
- `send_collections`: per range of the day's collections, the gateway calls and the
  allocation of what they collected (valued on the open day);
- `send_notices`: per range of the close's overdue notices, their e-mails and texts.

Each step and chunk has the close's own records (`CloseStep`, `CloseChunk`: progress,
attempts, counts, duration, and the rate per second); a chunk is done once, and its work
is safe to repeat (deduplication keys, settled repayments, sent deliveries), so a chunk
lost with a killed worker is run again by the sweep."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from closing import sql
from closing.chunks import LOANS_STEP, id_ranges, statement_params
from common.models import CloseChunk, CloseRun, CloseStep, RunState
from notifications.services import notice_deliveries_make, notice_id_bounds
from repayments.models import Repayment

SEND_REMINDERS = "send_reminders"
SEND_COLLECTIONS = "send_collections"
SEND_NOTICES = "send_notices"
FOLLOW_UPS = (SEND_REMINDERS, SEND_COLLECTIONS, SEND_NOTICES)
# After the close's own steps in a run's list.
FIRST_POSITION = 100
# Collection ids per chunk (each a gateway call), and notice ids per chunk.
COLLECTION_RANGE = 500
NOTICE_RANGE = 1000


def _ranges_of(run: CloseRun, name: str) -> list[tuple[int, int]]:
    if name == SEND_REMINDERS:
        return list(
            CloseChunk.objects.filter(step__run=run, step__step=LOANS_STEP)
            .order_by("first_loan_id")
            .values_list("first_loan_id", "last_loan_id")
        )
    if name == SEND_COLLECTIONS:
        bounds = Repayment.objects.filter(
            kind=Repayment.Kind.COLLECTION, business_date=run.business_date
        ).aggregate(low=Min("pk"), high=Max("pk"))
        return id_ranges(bounds["low"], bounds["high"], COLLECTION_RANGE)
    low, high = notice_id_bounds(made_at=run.started_at)
    return id_ranges(low, high, NOTICE_RANGE)


def close_followups_plan(*, run_id: int, now: dt.datetime) -> list[int]:
    """The run's follow-up steps and their chunks (made once per run). Returns the ids of
    the chunks not yet done, in the order to run them."""
    run = CloseRun.objects.get(pk=run_id)
    for position, name in enumerate(FOLLOW_UPS, start=FIRST_POSITION):
        with transaction.atomic():
            step, made = CloseStep.objects.get_or_create(
                run=run,
                step=name,
                defaults={"position": position, "state": RunState.RUNNING, "started_at": now},
            )
            if not made:
                continue
            ranges = _ranges_of(run, name)
            CloseChunk.objects.bulk_create(
                [CloseChunk(step=step, first_loan_id=a, last_loan_id=b) for a, b in ranges],
                ignore_conflicts=True,
            )
            CloseStep.objects.filter(pk=step.pk).update(chunks_total=len(ranges))
            if not ranges:
                CloseStep.objects.filter(pk=step.pk).update(
                    state=RunState.COMPLETED, finished_at=now, duration_ms=0
                )
    return list(
        CloseChunk.objects.filter(
            step__run=run, step__step__in=FOLLOW_UPS, state=CloseChunk.State.PENDING
        )
        .order_by("step__position", "first_loan_id")
        .values_list("pk", flat=True)
    )


def close_followups_dispatch(*, run_id: int, now: dt.datetime) -> dict[str, int]:
    """Plan the run's follow-up work and queue its chunks (run by any worker)."""
    from closing.tasks import close_followup_chunk_task

    pending = close_followups_plan(run_id=run_id, now=now)
    for chunk_id in pending:
        close_followup_chunk_task.delay(chunk_id=chunk_id)
    return {"followup_chunks": len(pending)}


def close_followups_stale(*, older_than: dt.datetime) -> list[int]:
    """Follow-up chunks still pending of steps planned before `older_than` (a worker was
    killed, or the broker lost the task): to queue again."""
    return list(
        CloseChunk.objects.filter(
            step__step__in=FOLLOW_UPS,
            step__started_at__lt=older_than,
            state=CloseChunk.State.PENDING,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )


def close_followups_run(
    *, run_id: int, only: tuple[str, ...] = FOLLOW_UPS
) -> dict[str, dict[str, Any]]:
    """The run's follow-up work (or `only` some of its steps) in this process, chunk after
    chunk (the benchmark, tests, a lender without workers). Returns each follow-up step's
    counts."""
    pending = close_followups_plan(run_id=run_id, now=timezone.now())
    for chunk_id in (
        CloseChunk.objects.filter(pk__in=pending, step__step__in=only)
        .order_by("step__position", "first_loan_id")
        .values_list("pk", flat=True)
    ):
        followup_chunk_run(chunk_id=chunk_id)
    return {
        step.step: {**step.counts, "seconds": (step.duration_ms or 0) / 1000}
        for step in CloseStep.objects.filter(run_id=run_id, step__in=FOLLOW_UPS)
    }


# --- the work of a chunk --------------------------------------------------------------


def _send(delivery_ids: list[int]) -> int:
    from notifications.tasks import notification_deliveries_send_task

    return int(notification_deliveries_send_task(delivery_ids=delivery_ids))


def _reminders(chunk: CloseChunk, run: CloseRun) -> dict[str, int]:
    day = run.business_date
    if connection.vendor == "postgresql":
        params = statement_params(
            day, chunk.first_loan_id, chunk.last_loan_id, run.started_at, (), ()
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.CHUNK.remind, params)
            made, low, high = cursor.fetchone()
    else:
        from closing.python import reminders_python

        ids = reminders_python(
            day=day, first=chunk.first_loan_id, last=chunk.last_loan_id, now=run.started_at
        )
        made, low, high = len(ids), min(ids, default=None), max(ids, default=None)
    deliveries: list[int] = []
    if low is not None and high is not None:
        deliveries = notice_deliveries_make(
            first_id=low, last_id=high, made_at=run.started_at, now=timezone.now()
        )
    return {"reminders": int(made), "deliveries": len(deliveries), "sent": _send(deliveries)}


def _collections(chunk: CloseChunk, run: CloseRun) -> dict[str, int]:
    from repayments.tasks import collections_send_task

    ids = list(
        Repayment.objects.filter(
            pk__gte=chunk.first_loan_id,
            pk__lte=chunk.last_loan_id,
            kind=Repayment.Kind.COLLECTION,
            business_date=run.business_date,
            status=Repayment.Status.PENDING,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    outcomes: dict[str, int] = collections_send_task(repayment_ids=ids)
    return {"collections": len(ids), **outcomes}


def _notices(chunk: CloseChunk, run: CloseRun) -> dict[str, int]:
    deliveries = notice_deliveries_make(
        first_id=chunk.first_loan_id,
        last_id=chunk.last_loan_id,
        made_at=run.started_at,
        now=timezone.now(),
    )
    return {"deliveries": len(deliveries), "sent": _send(deliveries)}


WORK: dict[str, Callable[[CloseChunk, CloseRun], dict[str, int]]] = {
    SEND_REMINDERS: _reminders,
    SEND_COLLECTIONS: _collections,
    SEND_NOTICES: _notices,
}
# What a step's rate per second counts.
RATE_OF = {SEND_REMINDERS: "reminders", SEND_COLLECTIONS: "collections", SEND_NOTICES: "sent"}


def followup_chunk_run(*, chunk_id: int) -> dict[str, int] | None:
    """Do a follow-up chunk's work, then mark it done and its step's progress. A chunk
    that another worker holds, or that is done, is left alone (None). The work runs
    outside the chunk's lock (gateway calls, e-mails) and is safe to repeat."""
    with transaction.atomic():
        chunk = (
            CloseChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("step__run")
            .filter(pk=chunk_id)
            .first()
        )
        if chunk is None or chunk.state == CloseChunk.State.DONE:
            return None
        chunk.attempts += 1
        chunk.save(update_fields=["attempts"])
    began = time.monotonic()
    counts = WORK[chunk.step.step](chunk, chunk.step.run)
    with transaction.atomic():
        locked = CloseChunk.objects.select_for_update().get(pk=chunk_id)
        if locked.state == CloseChunk.State.DONE:
            return counts
        finished = timezone.now()
        locked.state = CloseChunk.State.DONE
        locked.counts = counts
        locked.rows_written = counts.get("reminders", 0) + counts.get("deliveries", 0)
        locked.finished_at = finished
        locked.duration_ms = int((time.monotonic() - began) * 1000)
        locked.save()
        _step_progress(step_id=locked.step_id)
    return counts


def _step_progress(*, step_id: int) -> None:
    """A follow-up step's progress from its chunks; once all are done, it is completed
    with its wall time (first chunk's start to last chunk's end) and rate per second."""
    step = CloseStep.objects.select_for_update().get(pk=step_id)
    done = list(
        step.chunks.filter(state=CloseChunk.State.DONE).values_list(
            "counts", "finished_at", "duration_ms"
        )
    )
    totals: dict[str, Any] = {}
    for counts, _finished, _ms in done:
        for key, value in counts.items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    step.chunks_done = len(done)
    step.rows_written = totals.get("reminders", 0) + totals.get("deliveries", 0)
    if step.chunks_done >= step.chunks_total:
        spans = [
            (finished_at - dt.timedelta(milliseconds=ms or 0), finished_at)
            for _counts, finished_at, ms in done
            if finished_at is not None
        ]
        began = min(start for start, _end in spans)
        ended = max(end for _start, end in spans)
        seconds = (ended - began).total_seconds()
        step.state = RunState.COMPLETED
        step.finished_at = ended
        step.duration_ms = int(seconds * 1000)
        rate_over = max(seconds, 0.001)  # float-ok: seconds, a rate for staff
        totals["per_second"] = round(totals.get(RATE_OF[step.step], 0) / rate_over)
    step.counts = totals
    step.save()
