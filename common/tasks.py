"""Celery tasks of the platform layer: thin, keyword arguments, ids not objects. The clock
is read here."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from common.exports import export_files_purge, export_job_run


@shared_task
def export_files_purge_task() -> int:
    """Beat, daily: delete export files past their retention."""
    days = int(settings.MICROLEND["EXPORT_RETENTION_DAYS"])
    return export_files_purge(before=timezone.now() - dt.timedelta(days=days))


@shared_task(acks_late=True)
def export_job_run_task(*, job_id: int) -> str:
    """A background export of an admin list (queued by `export_job_request`)."""
    return str(export_job_run(job_id=job_id, clock=timezone.now).state)
