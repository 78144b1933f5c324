"""The close of business: closes business date D and opens D+1 (DOMAIN.md §7). The only
way the business date moves.

A run is a sequence of steps, each idempotent; the close of business issue's steps plug
into `CLOSE_STEPS`. Closing the same date twice changes nothing the second time; a run that
stopped half-way resumes where it stopped."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.models import User
from closing.chunks import close_loans, loan_catch_up
from closing.followups import close_followups_dispatch
from common.exceptions import Conflict, InvalidInput
from common.models import (
    RUN_TRANSITIONS,
    BusinessCalendar,
    BusinessDateChange,
    CloseRun,
    CloseRunEvent,
    CloseStep,
    RunState,
)
from loans.models import Loan
from loans.services import loan_application_expire_stale
from repayments.models import CreditReportRecord, OverdueRecord, OverpaymentBalance
from repayments.services.overpayments import overpayment_apply
from repayments.services.prepayments import (
    prepayment_applications_expire,
    prepayment_execute,
    prepayments_due,
)
from verification.services import face_frames_purge

ONE_DAY = dt.timedelta(days=1)


Progress = Callable[[str, dict[str, Any]], None]


def _silent(event: str, figures: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class StepContext:
    run_id: int
    business_date: dt.date
    now: dt.datetime
    # Told what happens (a step done with its counts, a chunk done), for a terminal or a
    # page to show; the close does not depend on it.
    progress: Progress = _silent


def _step_catch_up(context: StepContext) -> dict[str, int]:
    """Loans the close could not process on earlier days are closed first, day by day."""
    flagged = list(
        Loan.objects.filter(close_pending_from__lt=context.business_date)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = sum(
        loan_catch_up(loan_id=loan_id, until=context.business_date, now=context.now)
        for loan_id in flagged
    )
    return {"flagged": len(flagged), "caught_up": int(done)}


def _step_prepayments(context: StepContext) -> dict[str, int]:
    """Approved prepayments dated today are executed (their installment is collected with
    them)."""
    executed = failed = 0
    for application_id in prepayments_due(business_date=context.business_date):
        application = prepayment_execute(
            application_id=application_id, business_date=context.business_date, now=context.now
        )
        executed += application.status == "executed"
        failed += application.status == "failed"
    return {"executed": executed, "failed": failed}


def _step_overpayments(context: StepContext) -> dict[str, int]:
    """What is held for a loan pays its installment on the due date, before any card is
    charged."""
    loan_ids = (
        OverpaymentBalance.objects.filter(
            amount__gt=0,
            loan__status=Loan.Status.ACTIVE,
            loan__installments__due_date=context.business_date,
            loan__installments__status__in=["due", "overdue"],
        )
        .order_by("loan_id")
        .values_list("loan_id", flat=True)
        .distinct()
    )
    applied = sum(
        overpayment_apply(loan_id=loan_id, business_date=context.business_date, now=context.now)
        is not None
        for loan_id in loan_ids
    )
    return {"applied": int(applied)}


def _step_loans(context: StepContext) -> dict[str, int]:
    """The night's rules over every open loan, chunk by chunk (closing.chunks)."""
    return close_loans(
        run_id=context.run_id,
        business_date=context.business_date,
        now=context.now,
        progress=context.progress,
    )


def _step_expire(context: StepContext) -> dict[str, int]:
    following = context.business_date + ONE_DAY
    return {
        "loan_applications": loan_application_expire_stale(
            business_date=following, now=context.now
        ),
        "prepayment_applications": prepayment_applications_expire(
            business_date=following, now=context.now
        ),
    }


def _step_credit_reports(context: StepContext) -> dict[str, int]:
    """A credit-report record becomes reportable once the borrower's notice period has
    passed; records settled more than five years ago are purged."""
    following = context.business_date + ONE_DAY
    reportable = CreditReportRecord.objects.filter(
        state=CreditReportRecord.State.PENDING_NOTICE, report_after__lte=following
    ).update(state=CreditReportRecord.State.REPORTABLE)
    old = OverdueRecord.objects.filter(retain_until__lt=following)
    purged, _ = CreditReportRecord.objects.filter(overdue_record__in=old).delete()
    records, _ = old.delete()
    return {"reportable": reportable, "purged": purged + records}


def _step_face_data(context: StepContext) -> dict[str, int]:
    return {"frames_purged": face_frames_purge(now=context.now)}


# (name, function) in order. Each is idempotent for its run and returns its counts.
CLOSE_STEPS: list[tuple[str, Callable[[StepContext], dict[str, int]]]] = [
    ("catch_up", _step_catch_up),
    ("prepayments", _step_prepayments),
    ("overpayments", _step_overpayments),
    ("loans", _step_loans),
    ("applications", _step_expire),
    ("credit_reports", _step_credit_reports),
    ("face_data", _step_face_data),
]


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
    progress: Progress = _silent,
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
    context = StepContext(run_id=run.pk, business_date=business_date, now=now, progress=progress)
    for position, (name, step) in enumerate(CLOSE_STEPS, start=1):
        record, _ = CloseStep.objects.get_or_create(
            run=run, step=name, defaults={"position": position, "started_at": now}
        )
        if record.state == RunState.COMPLETED:
            continue
        began = time.monotonic()
        try:
            counts = step(context)
        except Exception as exc:
            CloseStep.objects.filter(pk=record.pk).update(state=RunState.FAILED)
            _fail(run=run, now=now, actor=actor, error=f"{name}: {exc}")
            raise
        elapsed = dt.timedelta(seconds=time.monotonic() - began)
        CloseStep.objects.filter(pk=record.pk).update(
            state=RunState.COMPLETED,
            finished_at=now + elapsed,
            duration_ms=int(elapsed.total_seconds() * 1000),
            counts=counts or {},
        )
        progress("step", {"step": name, "seconds": elapsed.total_seconds(), **(counts or {})})
    _finish(run=run, now=now, actor=actor)
    run.refresh_from_db()
    if run.state == RunState.COMPLETED:
        close_followups_dispatch(run_id=run.pk, now=now)
    return run


def business_days_close_until(
    *,
    until: dt.date,
    now: dt.datetime,
    source: str = CloseRun.Source.COMMAND,
    actor: User | None = None,
    progress: Progress = _silent,
) -> list[CloseRun]:
    """Close every business date up to and including `until`, one after another, in order
    (missed days are caught up). Dates already closed are skipped."""
    runs: list[CloseRun] = []
    while True:
        current = BusinessCalendar.objects.values_list("current_date", flat=True).get(pk=1)
        if current > until:
            return runs
        progress("day", {"business_date": current})
        run = business_day_close(
            business_date=current, now=now, source=source, actor=actor, progress=progress
        )
        if run is not None:
            runs.append(run)
