"""Reads of the business calendar."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings

from common.exceptions import Conflict
from common.models import BusinessCalendar


def business_date_get() -> dt.date:
    """Today for every money rule. The row is created by the first migration."""
    return BusinessCalendar.objects.values_list("current_date", flat=True).get(pk=1)


class CloseOfBusinessRunning(Conflict):
    default_code = "close_of_business_running"


def business_date_for_money(*, wait: dt.timedelta | None = None) -> dt.date:
    """The business date for a service that moves money. While the close of business runs
    (DOMAIN.md §7) money waits a little for it to finish, then is refused with a 409 that
    asks to try again shortly: nothing may move half-way through a close."""
    if wait is None:
        wait = dt.timedelta(seconds=int(settings.MICROLEND["CLOSE_WAIT_SECONDS"]))
    deadline = time.monotonic() + wait.total_seconds()
    while True:
        current, state = BusinessCalendar.objects.values_list("current_date", "state").get(pk=1)
        if state == BusinessCalendar.State.OPEN:
            return current
        if time.monotonic() >= deadline:
            raise CloseOfBusinessRunning(
                "The close of business is running; please try again in a minute."
            )
        time.sleep(0.1)  # float-ok: a poll interval in seconds, not money
