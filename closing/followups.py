"""What runs after a close (DOMAIN.md §7, issue of money that leaves): the close itself only
writes collection outbox rows and notices, set-based; the gateway calls for the
collections, and the deliveries of the notices (made and sent), are chunked tasks queued
once the next day is open, so none of that holds the close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from common.models import CloseRun
from notifications.services import notice_id_ranges
from repayments.models import Repayment

# Collections per gateway task, and notice ids per delivery task.
CHUNK = 500
NOTICE_RANGE = 1000


def _collection_batches(business_date: dt.date) -> Iterator[list[int]]:
    """The collections queued for the day, pending, in batches (streamed: the ids are
    never all held)."""
    batch: list[int] = []
    pending = (
        Repayment.objects.filter(
            kind=Repayment.Kind.COLLECTION,
            status=Repayment.Status.PENDING,
            business_date=business_date,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for repayment_id in pending.iterator(chunk_size=CHUNK * 4):
        batch.append(repayment_id)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def close_followups_dispatch(*, run_id: int, now: dt.datetime) -> dict[str, int]:
    """Queue the run's follow-up work in chunks (run by any worker, safe to run twice)."""
    from notifications.tasks import notice_range_deliver_task
    from repayments.tasks import collections_send_task

    run = CloseRun.objects.get(pk=run_id)
    collections = 0
    for batch in _collection_batches(run.business_date):
        collections_send_task.delay(repayment_ids=batch)
        collections += len(batch)
    ranges = notice_id_ranges(made_at=run.started_at, size=NOTICE_RANGE)
    for first_id, last_id in ranges:
        notice_range_deliver_task.delay(
            first_id=first_id, last_id=last_id, made_at=run.started_at.isoformat()
        )
    return {"collections": collections, "notice_tasks": len(ranges)}
