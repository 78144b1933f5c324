"""The application state machine's moves and the checks shared by the application and
disbursement services. Callers hold the application's row lock and the transaction."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accounts.models import User
from common.exceptions import Conflict
from loans.models import (
    ALLOWED_TRANSITIONS,
    ApplicationEvent,
    ApplicationStatus,
    LoanApplication,
)
from loans.services.notices import application_notify

S = ApplicationStatus
Source = ApplicationEvent.Source


class FaceCheckPending(Conflict):
    """The face gate: a required face check has not passed."""

    default_code = "face_check_required"


def application_transition(
    application: LoanApplication,
    to_status: str,
    *,
    now: dt.datetime,
    source: str,
    actor: User | None = None,
    reason: str = "",
) -> None:
    """Move a locked application to `to_status` if the state machine allows it, with its
    event row."""
    if to_status not in ALLOWED_TRANSITIONS[application.status]:
        raise Conflict(
            _("An application that is %(from)s cannot become %(to)s.")
            % {"from": application.get_status_display(), "to": S(to_status).label},
            code="invalid_transition",
        )
    ApplicationEvent.objects.create(
        application=application,
        from_status=application.status,
        to_status=to_status,
        source=source,
        actor=actor,
        reason=reason[:255],
        occurred_at=now,
    )
    from_status = application.status
    application.status = to_status
    fields = ["status"]
    if to_status in (S.APPROVED, S.REFUSED):
        application.decided_at = now
        fields.append("decided_at")
    application.save(update_fields=fields)
    application_notify(
        application, from_status=from_status, to_status=to_status, source=source, now=now
    )


def application_refuse_locked(
    application: LoanApplication,
    *,
    now: dt.datetime,
    code: str,
    reason: str,
    actor: User | None = None,
) -> None:
    application.refusal_code = code[:64]
    application.refusal_reason = reason[:255]
    application.save(update_fields=["refusal_code", "refusal_reason"])
    application_transition(
        application,
        S.REFUSED,
        now=now,
        source=Source.STAFF if actor else Source.SYSTEM,
        actor=actor,
        reason=reason,
    )


def application_face_check_pass_locked(
    application: LoanApplication, *, now: dt.datetime, reason: str, actor: User | None = None
) -> None:
    """Record a passed face check (or, with `actor`, an identity confirmed by staff) on a
    locked application and release it to system review, which approves it. Disbursement
    follows after the caller's transaction commits."""
    application_transition(
        application,
        S.FACE_CHECK_PASSED,
        now=now,
        source=Source.STAFF if actor else Source.SYSTEM,
        actor=actor,
        reason=reason,
    )
    application.face_check_passed_at = now
    application.save(update_fields=["face_check_passed_at"])
    application_transition(
        application,
        S.APPROVED,
        now=now,
        source=Source.SYSTEM,
        reason="Passed system review after the identity check.",
    )
