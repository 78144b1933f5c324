"""Reads of the business calendar."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings

from common.exceptions import Conflict
from common.models import BusinessCalendar, CloseChunk, CloseStep, RunState


def business_date_get() -> dt.date:
    """Today for every money rule. The row is created by the first migration."""
    return BusinessCalendar.objects.values_list("current_date", flat=True).get(pk=1)


class CloseOfBusinessRunning(Conflict):
    default_code = "close_of_business_running"


def business_day_open() -> bool:
    """Whether the business day is open (no close of business running or stopped)."""
    state = BusinessCalendar.objects.values_list("state", flat=True).get(pk=1)
    return bool(state == BusinessCalendar.State.OPEN)


def business_date_for_money(
    *, loan_id: int | None = None, wait: dt.timedelta | None = None
) -> dt.date:
    """The business date a service that moves money values it on (DOMAIN.md §7).

    While the close of day D runs, money is valued D + 1. New money (a disbursement, which
    starts a new loan) goes ahead at once. Money for an existing loan (`loan_id`) is applied
    only after the close has processed that loan, never half-way: it waits until the
    loan's chunk is done (or is refused with a 409 asking to try again shortly if that
    takes longer than `wait`); a loan the close does not process (one made during it) goes
    ahead. A close that stopped with an error holds money for every loan until it is
    resumed."""
    if wait is None:
        wait = dt.timedelta(seconds=int(settings.MICROLEND["CLOSE_WAIT_SECONDS"]))
    deadline = time.monotonic() + wait.total_seconds()
    while True:
        current, state = BusinessCalendar.objects.values_list("current_date", "state").get(pk=1)
        if state == BusinessCalendar.State.OPEN:
            return current
        following = current + dt.timedelta(days=1)
        if loan_id is None or _loan_closed_for(loan_id, current):
            return following
        if time.monotonic() >= deadline:
            raise CloseOfBusinessRunning(
                "The close of business is running; please try again in a minute."
            )
        time.sleep(0.05)  # float-ok: a poll interval in seconds, not money


def _loan_closed_for(loan_id: int, day: dt.date) -> bool:
    """Whether the running close of `day` has processed the loan (or will not)."""
    step = (
        CloseStep.objects.filter(run__business_date=day, run__state=RunState.RUNNING, step="loans")
        .values_list("pk", flat=True)
        .first()
    )
    if step is None:
        return False  # the close is before its loans (or stopped): wait
    chunk = (
        CloseChunk.objects.filter(
            step_id=step, first_loan_id__lte=loan_id, last_loan_id__gte=loan_id
        )
        .values_list("state", flat=True)
        .first()
    )
    return chunk is None or chunk == CloseChunk.State.DONE
