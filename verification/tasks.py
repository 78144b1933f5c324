"""Celery tasks of the face check."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from verification.services import face_frames_purge


@shared_task
def face_frames_purge_task() -> int:
    """Beat, daily: delete attempt frames older than the retention period."""
    return face_frames_purge(now=timezone.now())
