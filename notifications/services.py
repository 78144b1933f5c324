"""Sending notices. Every app that has something to tell a borrower calls
`notification_send` (or `notification_send_many` for a batch, e.g. the close of
business's reminders) inside the transaction of the event; the e-mail and the text
message leave after that transaction commits (`notification_deliver`, run by a task and
swept again while pending)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import translation

from accounts.models import User
from common.sms import SmsSendFailed, sms_sender
from notifications.kinds import TEXTS, notice_render
from notifications.models import Notification, NotificationDelivery

Channel = NotificationDelivery.Channel
Status = NotificationDelivery.Status

# A delivery that failed this many times is given up (and shown as failed to staff).
MAX_DELIVERY_ATTEMPTS = 5
# Deliveries are queued to the worker in chunks of this many ids.
DELIVERY_CHUNK = 200


@dataclass(frozen=True)
class NoticeRequest:
    """One notice of a batch (`notification_send_many`)."""

    user: User
    kind: str
    context: Mapping[str, object] = field(default_factory=dict)
    link: str = ""
    dedupe_key: str = ""


def _clean_context(context: Mapping[str, object]) -> dict[str, str]:
    return {str(key): str(value) for key, value in context.items()}


def _deliveries_for(
    notification: Notification, user: User, now: dt.datetime
) -> list[NotificationDelivery]:
    rows = []
    if user.email:
        rows.append(
            NotificationDelivery(
                notification=notification, channel=Channel.EMAIL, address=user.email, created_at=now
            )
        )
    if user.phone:
        rows.append(
            NotificationDelivery(
                notification=notification, channel=Channel.SMS, address=user.phone, created_at=now
            )
        )
    return rows


def _queue_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    from notifications.tasks import notification_deliveries_send_task

    for start in range(0, len(delivery_ids), DELIVERY_CHUNK):
        chunk = delivery_ids[start : start + DELIVERY_CHUNK]
        transaction.on_commit(partial(notification_deliveries_send_task.delay, delivery_ids=chunk))


def notification_send(
    *,
    user: User,
    kind: str,
    context: Mapping[str, object],
    now: dt.datetime,
    link: str = "",
    dedupe_key: str = "",
) -> Notification | None:
    """Tell `user` about something: a notice in their in-app list, and the same by e-mail
    and text message to the addresses the account has. Runs in the caller's transaction
    (or its own); the messages leave only once it commits. With `dedupe_key`, a second
    notice under the same key is not made (returns None). Staff get no notices."""
    sent = notification_send_many(
        notices=[NoticeRequest(user, kind, context, link, dedupe_key)], now=now
    )
    return sent[0] if sent else None


def notification_send_many(
    *, notices: Sequence[NoticeRequest], now: dt.datetime
) -> list[Notification]:
    """`notification_send` for a batch, in a few statements: notices whose deduplication
    key was already used are skipped. Returns the notices made."""
    wanted = [n for n in notices if not n.user.is_staff]
    for notice in wanted:
        if notice.kind not in TEXTS:
            raise ValueError(f"Unknown notice kind {notice.kind!r}.")
    with transaction.atomic():
        keyed = {(n.user.pk, n.dedupe_key) for n in wanted if n.dedupe_key}
        if keyed:
            used = set(
                Notification.objects.filter(
                    user_id__in={user_id for user_id, _ in keyed},
                    dedupe_key__in={key for _, key in keyed},
                ).values_list("user_id", "dedupe_key")
            )
            wanted = [
                n for n in wanted if not n.dedupe_key or (n.user.pk, n.dedupe_key) not in used
            ]
        rows = [
            Notification(
                user=n.user,
                kind=n.kind,
                context=_clean_context(n.context),
                link=n.link[:255],
                dedupe_key=n.dedupe_key[:128],
                created_at=now,
            )
            for n in wanted
        ]
        try:
            with transaction.atomic():
                made = Notification.objects.bulk_create(rows)
        except IntegrityError:
            # The same key sent at the same moment by another transaction: one at a time.
            made = []
            for row in rows:
                try:
                    with transaction.atomic():
                        row.save()
                except IntegrityError:
                    continue
                made.append(row)
        deliveries = NotificationDelivery.objects.bulk_create(
            [d for row in made for d in _deliveries_for(row, row.user, now)]
        )
        _queue_on_commit([d.pk for d in deliveries])
    return made


def notifications_mark_read(
    *, user: User, now: dt.datetime, public_ids: Sequence[str] | None = None
) -> int:
    """Mark the user's unread notices read (those of `public_ids`, or all). Returns how
    many changed."""
    with transaction.atomic(durable=True):
        unread = Notification.objects.filter(user=user, read_at__isnull=True, created_at__lte=now)
        if public_ids is not None:
            unread = unread.filter(public_id__in=list(public_ids))
        return unread.update(read_at=now)


def _message(delivery: NotificationDelivery) -> tuple[str, str]:
    notification = delivery.notification
    language = notification.user.language or settings.LANGUAGE_CODE
    notice = notice_render(notification, language=language)
    with translation.override(language):
        brand = translation.gettext("microlend")
        if delivery.channel == Channel.SMS:
            return notice.title, f"[{brand}] {notice.body}"
        link = f"{settings.MICROLEND['SITE_URL'].rstrip('/')}{notification.link}"
        footer = translation.gettext(
            "You receive this e-mail because you have an account with us. "
            "Your notices are also on your Home page."
        )
        body = (
            f"{notice.body}\n\n{link}\n\n--\n{brand}\n{footer}"
            if notification.link
            else (f"{notice.body}\n\n--\n{brand}\n{footer}")
        )
        return f"[{brand}] {notice.title}", body


def notification_deliver(*, delivery_id: int, now: dt.datetime) -> NotificationDelivery:
    """Send one pending delivery through its channel (outside any transaction), then
    record the outcome under a lock. Safe to run twice: a sent or failed delivery is
    left alone. Messages are at least once: a crash between sending and recording sends
    it again on the next sweep."""
    delivery = NotificationDelivery.objects.select_related("notification__user").get(pk=delivery_id)
    if delivery.status != Status.PENDING:
        return delivery
    subject, body = _message(delivery)
    reference, error = "", ""
    try:
        if delivery.channel == Channel.EMAIL:
            send_mail(subject, body, None, [delivery.address])
            reference = "email"
        else:
            reference = sms_sender().send(phone=delivery.address, text=body)
    except (SmsSendFailed, OSError) as exc:
        error = str(exc) or type(exc).__name__
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":
            # The outcome need not wait for the disk: lost in a crash, the delivery is
            # pending again and sent again, which at least once allows already.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        delivery = NotificationDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status != Status.PENDING:
            return delivery
        delivery.attempts += 1
        if error:
            delivery.last_error = error[:255]
            if delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
                delivery.status = Status.FAILED
        else:
            delivery.status = Status.SENT
            delivery.sent_at = now
            delivery.reference = reference[:100]
        delivery.save()
    return delivery


# The deliveries of notices written set-based (the close of business writes its notices in
# SQL, with one instant `made_at`), for the notices of an id range; a second call makes
# none twice.
_DELIVERIES_OF_RANGE_SQL = """
INSERT INTO notifications_notificationdelivery
    (notification_id, channel, address, status, attempts, created_at, reference, last_error)
SELECT n.id, c.channel, c.address, 'pending', 0, %(now)s, '', ''
  FROM notifications_notification n
  JOIN accounts_user u ON u.id = n.user_id
 CROSS JOIN LATERAL (VALUES ('email', u.email), ('sms', u.phone)) AS c(channel, address)
 WHERE n.id BETWEEN %(first)s AND %(last)s AND n.created_at = %(made_at)s
   AND c.address <> '' AND NOT u.is_staff
ON CONFLICT (notification_id, channel) DO NOTHING
RETURNING id
"""


def notice_id_bounds(*, made_at: dt.datetime) -> tuple[int | None, int | None]:
    """The lowest and highest ids of the notices written at `made_at` (found through the
    block-range index on the instant, on PostgreSQL)."""
    bounds = Notification.objects.filter(created_at=made_at).aggregate(
        low=Min("pk"), high=Max("pk")
    )
    return bounds["low"], bounds["high"]


def notice_deliveries_make(
    *, first_id: int, last_id: int, made_at: dt.datetime, now: dt.datetime
) -> list[int]:
    """The deliveries (an e-mail and a text message to the addresses the account has) of
    the notices with ids in the range written at `made_at`. Returns the ids made."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _DELIVERIES_OF_RANGE_SQL,
                {"first": first_id, "last": last_id, "made_at": made_at, "now": now},
            )
            return [row[0] for row in cursor.fetchall()]
    made: list[int] = []
    notices = Notification.objects.filter(
        pk__gte=first_id, pk__lte=last_id, created_at=made_at, user__is_staff=False
    ).select_related("user")
    for notification in notices:
        for delivery in _deliveries_for(notification, notification.user, now):
            row, created = NotificationDelivery.objects.get_or_create(
                notification=notification,
                channel=delivery.channel,
                defaults={"address": delivery.address, "created_at": now},
            )
            if created:
                made.append(row.pk)
    return made
