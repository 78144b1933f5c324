"""Celery tasks of the close of business: thin, keyword arguments, ids not objects, safe to
run twice (a chunk is done once, under its row's lock). The clock is read here."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from closing.chunks import chunk_close
from closing.followups import close_followups_stale, followup_chunk_run
from closing.services import business_days_close_until
from common.models import CloseRun
from common.selectors import business_date_get

RESEND_AFTER = dt.timedelta(minutes=10)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def close_chunk_task(*, chunk_id: int, now: str) -> str:
    """One chunk of loans for one day (queued by the close's orchestrator)."""
    chunk = chunk_close(chunk_id=chunk_id, now=dt.datetime.fromisoformat(now))
    return str(chunk.state)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def close_followup_chunk_task(*, chunk_id: int) -> str:
    """One chunk of a close's follow-up work (reminders, collections, notices), retried
    with backoff on a database error; done once (closing.followups)."""
    counts = followup_chunk_run(chunk_id=chunk_id)
    return "skipped" if counts is None else "done"


@shared_task
def close_followups_resend_pending() -> int:
    """Beat: queue again the follow-up chunks left pending for ten minutes."""
    ids = close_followups_stale(older_than=timezone.now() - RESEND_AFTER)
    for chunk_id in ids:
        close_followup_chunk_task.delay(chunk_id=chunk_id)
    return len(ids)


@shared_task
def close_business_days_task() -> int:
    """Beat, nightly: close every business date before today's calendar date, in order."""
    today = timezone.localdate()
    until = today - dt.timedelta(days=1)
    if business_date_get() > until:
        return 0
    runs = business_days_close_until(
        until=until, now=timezone.now(), source=CloseRun.Source.SCHEDULE
    )
    return len(runs)


@shared_task(acks_late=True)
def close_business_day_task(*, business_date: str, actor_id: int | None = None) -> str:
    """Staff started the close of a date from the admin; it runs on a worker."""
    from accounts.models import User
    from closing.services import business_day_close

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    run = business_day_close(
        business_date=dt.date.fromisoformat(business_date),
        now=timezone.now(),
        source=CloseRun.Source.STAFF,
        actor=actor,
    )
    return run.state if run is not None else "already closed"
