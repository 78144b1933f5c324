"""Celery tasks of the close of business: thin, keyword arguments, ids not objects, safe to
run twice (a chunk is done once, under its row's lock). The clock is read here."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from closing.chunks import chunk_close
from closing.services import business_days_close_until
from common.models import CloseRun
from common.selectors import business_date_get


@shared_task(acks_late=True, reject_on_worker_lost=True)
def close_chunk_task(*, chunk_id: int, now: str) -> str:
    """One chunk of loans for one day (queued by the close's orchestrator)."""
    chunk = chunk_close(chunk_id=chunk_id, now=dt.datetime.fromisoformat(now))
    return str(chunk.state)


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
