"""Security events: written by the services that change an account, inside their
transaction. Not a use case of its own, so it opens no transaction."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accounts.exceptions import NotABorrower
from accounts.models import SecurityEvent, User
from common.request_context import ClientContext


def security_event_record(
    *, user: User, kind: str, context: ClientContext | None, now: dt.datetime, detail: str = ""
) -> SecurityEvent:
    return SecurityEvent.objects.create(
        user=user,
        kind=kind,
        occurred_at=now,
        ip_address=(context.ip_address if context else "") or None,
        user_agent=(context.user_agent if context else "")[:255],
        device_id=(context.device_id if context else "")[:64],
        detail=detail[:255],
    )


def ensure_borrower(user: User) -> None:
    """Borrower services refuse staff accounts: staff work in the back office."""
    if user.is_staff:
        raise NotABorrower(
            _("This is a staff account. Staff use the back office, not the borrower pages.")
        )
