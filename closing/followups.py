"""What runs after a close (DOMAIN.md §7, issue of money that leaves): the close itself only
writes collection outbox rows and notices, set-based; the gateway calls for the
collections, and the e-mails and text messages of the notices, are sent by chunked tasks
once the next day is open."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from common.models import CloseRun
from repayments.models import Repayment

CHUNK = 500

# The close's notices get their deliveries (an e-mail and a text message to the addresses
# the account has), set-based; a second run makes none twice.
_DELIVERIES_SQL = """
INSERT INTO notifications_notificationdelivery
    (notification_id, channel, address, status, attempts, created_at, reference, last_error)
SELECT n.id, c.channel, c.address, 'pending', 0, %(now)s, '', ''
  FROM notifications_notification n
  JOIN accounts_user u ON u.id = n.user_id
 CROSS JOIN LATERAL (VALUES ('email', u.email), ('sms', u.phone)) AS c(channel, address)
 WHERE n.created_at = %(made_at)s AND c.address <> '' AND NOT u.is_staff
ON CONFLICT (notification_id, channel) DO NOTHING
RETURNING id
"""


def close_followups_prepare(*, run_id: int, now: dt.datetime) -> tuple[list[int], list[int]]:
    """The collections queued by the run and the deliveries of its notices, to send."""
    run = CloseRun.objects.get(pk=run_id)
    collections = list(
        Repayment.objects.filter(
            kind=Repayment.Kind.COLLECTION,
            status=Repayment.Status.PENDING,
            business_date=run.business_date,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deliveries: list[int] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_DELIVERIES_SQL, {"now": now, "made_at": run.started_at})
            deliveries = [row[0] for row in cursor.fetchall()]
    else:
        from notifications.models import Notification, NotificationDelivery

        for notification in Notification.objects.filter(created_at=run.started_at).select_related(
            "user"
        ):
            for channel, address in (
                ("email", notification.user.email),
                ("sms", notification.user.phone),
            ):
                if address and not notification.user.is_staff:
                    delivery, made = NotificationDelivery.objects.get_or_create(
                        notification=notification,
                        channel=channel,
                        defaults={"address": address, "created_at": now},
                    )
                    if made:
                        deliveries.append(delivery.pk)
    return collections, deliveries


def close_followups_dispatch(*, run_id: int, now: dt.datetime) -> dict[str, int]:
    """Queue the run's follow-up work in chunks (run by any worker, safe to run twice)."""
    from notifications.tasks import notification_deliveries_send_task
    from repayments.tasks import collections_send_task

    collections, deliveries = close_followups_prepare(run_id=run_id, now=now)
    for start in range(0, len(collections), CHUNK):
        collections_send_task.delay(repayment_ids=collections[start : start + CHUNK])
    for start in range(0, len(deliveries), CHUNK):
        notification_deliveries_send_task.delay(delivery_ids=deliveries[start : start + CHUNK])
    return {"collections": len(collections), "deliveries": len(deliveries)}
