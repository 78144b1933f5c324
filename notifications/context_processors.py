from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from notifications.selectors import notifications_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The borrower's unread notices for the top bar, counted only if a page shows it."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_borrower:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(user=user))}
