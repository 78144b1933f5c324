"""The face gate (DOMAIN.md §4.5): what the outcome of a face check does to an application.

When the risk evaluation requires a face check, the application waits in
`FACE_CHECK_REQUIRED` and nothing can disburse it until a pass is recorded here
(`loan_disburse` raises `FaceCheckPending`, and the `application_face_gate` constraint on
`LoanApplication` refuses an approved or disbursed application that required a check
and has no `face_check_passed_at`).
`verification` runs the check and decides; these services are the only way its decision
reaches the application:

- `PASSED` (an attempt passed): face check passed, then approved by system review;
  `face_check_passed_at` is set.
- `IDENTITY_CONFIRMED` (manual review, staff confirmed the identity): the same, recorded
  as the reviewer's.
- `FAILED` (the attempts allowed are used up): refused, code `face_check_failed`.
- `IDENTITY_NOT_CONFIRMED` (manual review, staff did not confirm): refused by the
  reviewer, code `manual_review_rejected`.

A failed attempt with retries left, and a request for manual review, leave the
application as it is (it keeps waiting); they record nothing here.

Lock order, the same for every write that touches an application: the application row
first, then the rows of the app that drives the change. A face-check write therefore
runs, in one transaction the caller opens:

1. `face_gate_lock(application_id=...)`: the application, `SELECT ... FOR UPDATE`;
2. the caller's own rows (the verification session, the manual review), locked and
   re-checked;
3. `face_gate_record(application=..., outcome=...)`.

After a pass, once that transaction has committed, the caller calls `loan_disburse`
(which sends the payout outside any transaction)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.db import transaction

from accounts.models import User
from loans.models import ApplicationStatus, LoanApplication
from loans.services.states import application_face_check_pass_locked, application_refuse_locked


class FaceCheckOutcome(StrEnum):
    PASSED = "passed"
    IDENTITY_CONFIRMED = "identity_confirmed"
    FAILED = "failed"
    IDENTITY_NOT_CONFIRMED = "identity_not_confirmed"


_REFUSAL_CODES = {
    FaceCheckOutcome.FAILED: "face_check_failed",
    FaceCheckOutcome.IDENTITY_NOT_CONFIRMED: "manual_review_rejected",
}
_BY_STAFF = (FaceCheckOutcome.IDENTITY_CONFIRMED, FaceCheckOutcome.IDENTITY_NOT_CONFIRMED)


def face_gate_lock(*, application_id: int) -> LoanApplication:
    """Step 1 of every face-check write: lock the application, inside the caller's
    transaction, before any row of the check itself. Returns the locked application; the
    caller checks it still waits (`face_gate_waiting`) with its own message."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("face_gate_lock must run inside the caller's transaction.")
    return LoanApplication.objects.select_for_update().get(pk=application_id)


def face_gate_waiting(application: LoanApplication) -> bool:
    """Whether the application still waits for its face check (or a manual review)."""
    return application.status == ApplicationStatus.FACE_CHECK_REQUIRED


def face_gate_record(
    *,
    application: LoanApplication,
    outcome: FaceCheckOutcome,
    now: dt.datetime,
    reason: str,
    actor: User | None = None,
) -> None:
    """Step 3: apply a final outcome to an application locked by `face_gate_lock` in this
    transaction (see the list above), with its event rows and `reason`. The outcomes of
    a manual review need the reviewer as `actor`; the engine's outcomes have none.

    Raises `Conflict` (`invalid_transition`) if the application no longer waits for a
    face check, and then changes nothing."""
    if (outcome in _BY_STAFF) != (actor is not None):
        raise ValueError(f"A {outcome} outcome needs the reviewer exactly when staff decided.")
    if outcome in (FaceCheckOutcome.PASSED, FaceCheckOutcome.IDENTITY_CONFIRMED):
        application_face_check_pass_locked(application, now=now, reason=reason, actor=actor)
    else:
        application_refuse_locked(
            application, now=now, code=_REFUSAL_CODES[outcome], reason=reason, actor=actor
        )
