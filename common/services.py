"""Writes to the business calendar."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import User
from common.exceptions import InvalidInput
from common.models import BusinessCalendar, BusinessDateChange


def business_date_advance(
    *,
    to_date: dt.date,
    source: str,
    now: dt.datetime,
    actor: User | None = None,
    reason: str = "",
) -> BusinessDateChange:
    """Move the business date forward to `to_date`. Going back would reopen closed days,
    so it is refused."""
    if source not in BusinessDateChange.Source.values:
        raise InvalidInput(f"Unknown source {source!r}.", code="invalid_source")
    with transaction.atomic(durable=True):
        calendar = BusinessCalendar.objects.select_for_update().get(pk=1)
        if to_date <= calendar.current_date:
            raise InvalidInput(
                f"The business date can only move forward: it is {calendar.current_date}, "
                f"and {to_date} is not after it.",
                code="business_date_not_forward",
            )
        change = BusinessDateChange.objects.create(
            from_date=calendar.current_date,
            to_date=to_date,
            source=source,
            reason=reason,
            actor=actor,
            changed_at=now,
        )
        calendar.current_date = to_date
        calendar.save(update_fields=["current_date", "updated_at"])
    return change
