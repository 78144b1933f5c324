"""Celery tasks of notices: thin, keyword arguments, ids not objects, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from notifications.selectors import deliveries_pending
from notifications.services import notification_deliver

RESEND_AFTER = dt.timedelta(minutes=5)


@shared_task(acks_late=True)
def notification_deliveries_send_task(*, delivery_ids: list[int]) -> int:
    """Send a chunk of deliveries; returns how many are sent."""
    sent = 0
    for delivery_id in delivery_ids:
        delivery = notification_deliver(delivery_id=delivery_id, now=timezone.now())
        sent += delivery.status == delivery.Status.SENT
    return sent


@shared_task
def notification_deliveries_resend_pending() -> int:
    """Beat: send again what is still pending."""
    ids = deliveries_pending(created_before=timezone.now() - RESEND_AFTER)
    for start in range(0, len(ids), 200):
        notification_deliveries_send_task.delay(delivery_ids=ids[start : start + 200])
    return len(ids)
