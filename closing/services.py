"""The close of business: closes business date D and opens D+1 (DOMAIN.md §7). The only
way the business date moves.

A run is a sequence of steps, each idempotent; the close of business issue's steps plug
into `CLOSE_STEPS`. Closing the same date twice changes nothing the second time; a run that
stopped half-way resumes where it stopped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from closing.models import RUN_TRANSITIONS, CloseRun, CloseRunEvent, RunState
from common.exceptions import Conflict, InvalidInput
from common.models import BusinessCalendar, BusinessDateChange

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class StepContext:
    run_id: int
    business_date: dt.date
    now: dt.datetime


# (name, function) in order. Each function is idempotent for its run.
CLOSE_STEPS: list[tuple[str, Callable[[StepContext], None]]] = []


def _run_transition(
    run: CloseRun, to_state: str, *, now: dt.datetime, actor: User | None, reason: str = ""
) -> None:
    if to_state not in RUN_TRANSITIONS[run.state]:
        raise Conflict(
            f"A close that is {run.get_state_display()} cannot become {RunState(to_state).label}.",
            code="invalid_transition",
        )
    CloseRunEvent.objects.create(
        run=run,
        from_state=run.state,
        to_state=to_state,
        actor=actor,
        reason=reason[:255],
        occurred_at=now,
    )
    run.state = to_state
    fields = ["state"]
    if to_state in (RunState.COMPLETED, RunState.FAILED):
        run.finished_at = now
        fields.append("finished_at")
    if reason and to_state == RunState.FAILED:
        run.error = reason
        fields.append("error")
    run.save(update_fields=fields)


def _start(
    *, business_date: dt.date, now: dt.datetime, source: str, actor: User | None
) -> CloseRun | None:
    """Lock the calendar, check the date and mark it closing; the run to carry on, or None
    if that date is already closed."""
    with transaction.atomic(durable=True):
        calendar = BusinessCalendar.objects.select_for_update().get(pk=1)
        if business_date < calendar.current_date:
            return None
        if business_date > calendar.current_date:
            raise InvalidInput(
                f"The business date is {calendar.current_date}: {business_date} cannot be "
                "closed before it (days are closed one after another, in order).",
                code="close_date_in_future",
            )
        run = CloseRun.objects.select_for_update().filter(business_date=business_date).first()
        if run is None:
            run = CloseRun.objects.create(
                business_date=business_date,
                source=source,
                actor=actor,
                started_at=now,
            )
            CloseRunEvent.objects.create(
                run=run,
                to_state=RunState.RUNNING,
                actor=actor,
                reason=f"Close of {business_date} started.",
                occurred_at=now,
            )
        elif run.state == RunState.FAILED:
            _run_transition(
                run, RunState.RUNNING, now=now, actor=actor, reason="Resumed where it stopped."
            )
        calendar.state = BusinessCalendar.State.CLOSING
        calendar.save(update_fields=["state", "updated_at"])
    return run


def _finish(*, run: CloseRun, now: dt.datetime, actor: User | None) -> None:
    """Open the next day: the business date moves one day, with its event row."""
    with transaction.atomic(durable=True):
        calendar = BusinessCalendar.objects.select_for_update().get(pk=1)
        run = CloseRun.objects.select_for_update().get(pk=run.pk)
        if calendar.current_date != run.business_date or run.state != RunState.RUNNING:
            return
        next_date = run.business_date + ONE_DAY
        BusinessDateChange.objects.create(
            from_date=run.business_date,
            to_date=next_date,
            source=BusinessDateChange.Source.CLOSE_OF_BUSINESS,
            reason=f"Close of business of {run.business_date}.",
            actor=actor,
            changed_at=now,
        )
        calendar.current_date = next_date
        calendar.state = BusinessCalendar.State.OPEN
        calendar.save(update_fields=["current_date", "state", "updated_at"])
        _run_transition(run, RunState.COMPLETED, now=now, actor=actor)


def _fail(*, run: CloseRun, now: dt.datetime, actor: User | None, error: str) -> None:
    with transaction.atomic(durable=True):
        run = CloseRun.objects.select_for_update().get(pk=run.pk)
        if run.state == RunState.RUNNING:
            _run_transition(run, RunState.FAILED, now=now, actor=actor, reason=error)
        # The calendar stays closing: some chunks of the day may be closed already, so
        # money must not move on that day until the run is resumed and finished.


def business_day_close(
    *,
    business_date: dt.date,
    now: dt.datetime,
    source: str = CloseRun.Source.STAFF,
    actor: User | None = None,
) -> CloseRun | None:
    """Close `business_date` and open the next day. Returns the run, or None if that date
    was already closed (nothing changes). A date after the current business date is
    refused. A step that raises stops the run (state failed, the error recorded, the date
    not moved); starting the close of that date again resumes it."""
    if source not in CloseRun.Source.values:
        raise InvalidInput(f"Unknown source {source!r}.", code="invalid_source")
    run = _start(business_date=business_date, now=now, source=source, actor=actor)
    if run is None:
        return None
    context = StepContext(run_id=run.pk, business_date=business_date, now=now)
    for name, step in CLOSE_STEPS:
        try:
            step(context)
        except Exception as exc:
            _fail(run=run, now=now, actor=actor, error=f"{name}: {exc}")
            raise
    _finish(run=run, now=now, actor=actor)
    run.refresh_from_db()
    return run


def business_days_close_until(
    *,
    until: dt.date,
    now: dt.datetime,
    source: str = CloseRun.Source.COMMAND,
    actor: User | None = None,
) -> list[CloseRun]:
    """Close every business date up to and including `until`, one after another, in order
    (missed days are caught up). Dates already closed are skipped."""
    runs: list[CloseRun] = []
    while True:
        current = BusinessCalendar.objects.values_list("current_date", flat=True).get(pk=1)
        if current > until:
            return runs
        run = business_day_close(business_date=current, now=now, source=source, actor=actor)
        if run is not None:
            runs.append(run)
