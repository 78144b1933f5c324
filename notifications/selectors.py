"""Reads of notices: a borrower's list and unread count, and the deliveries to sweep."""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from notifications.models import Notification, NotificationDelivery


def notifications_for_user(*, user: User, limit: int = 50) -> list[Notification]:
    """The user's latest notices, newest first."""
    return list(Notification.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_pending(*, created_before: dt.datetime, limit: int = 1000) -> list[int]:
    """Deliveries still pending since before `created_before` (a worker died, a provider
    was down): they are sent again."""
    return list(
        NotificationDelivery.objects.filter(
            status=NotificationDelivery.Status.PENDING, created_at__lt=created_before
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
