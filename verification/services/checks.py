"""Face-check sessions and attempts.

The engine (verification.face) runs outside database transactions: it is CPU work of up to
a second. What it decides is then recorded in one short transaction under the row locks
of the face gate (`loans.services.face_gate`: the application first, then the session),
which also re-check the nonce so an attempt can never be recorded twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction

from accounts.models import User
from accounts.selectors import biometric_consent_active
from common import private_files
from common.exceptions import Conflict, DomainError, InvalidInput, NotFound
from loans.models import LoanApplication
from loans.services import (
    FaceCheckOutcome,
    face_gate_lock,
    face_gate_record,
    face_gate_waiting,
    loan_disburse,
)
from verification import embeddings, face
from verification.hashing import any_seen, frame_digest
from verification.messages import NO_FACE_SEEN, message_for
from verification.models import FaceEnrolment, VerificationAttempt, VerificationSession
from verification.selectors import face_check_locked_until
from verification.services._shared import challenge_new, face_check_rules, owned_application

FOUR_PLACES = Decimal("0.0001")


class FaceCheckLocked(DomainError):
    status_code = 429
    default_code = "face_check_locked"


def _decimal(value: float | None) -> Decimal | None:  # float-ok: engine scores are floats
    """An engine score (a distance) as a Decimal for storage."""
    if value is None:
        return None
    return Decimal(str(round(value, 4))).quantize(FOUR_PLACES)


def _ready_for_face_check(
    *, borrower: User, application: LoanApplication, now: dt.datetime
) -> None:
    if not face_gate_waiting(application):
        raise Conflict(
            "This application does not need a face check now "
            f"({application.get_status_display()}).",
            code="face_check_not_required",
        )
    if biometric_consent_active(user=borrower) is None:
        raise Conflict(
            "A face check needs your consent to face processing. Give it on your profile "
            "page, or ask for a manual review instead.",
            code="biometric_consent_required",
        )
    if not FaceEnrolment.objects.filter(user=borrower).exists():
        raise Conflict("Enroll your face first.", code="face_not_enrolled")
    locked_until = face_check_locked_until(borrower=borrower, now=now)
    if locked_until is not None:
        raise FaceCheckLocked(
            "Too many failed face checks. You can try again after "
            f"{locked_until:%Y-%m-%d %H:%M} UTC."
        )


def face_check_session_start(
    *, borrower: User, application_public_id: Any, now: dt.datetime
) -> VerificationSession:
    """Open (or reopen) the face check of an application with a fresh random challenge and
    nonce. Any earlier open session of the application is closed."""
    application = owned_application(borrower=borrower, application_public_id=application_public_id)
    _ready_for_face_check(borrower=borrower, application=application, now=now)
    ttl = dt.timedelta(seconds=int(face_check_rules()["SESSION_TTL_SECONDS"]))
    with transaction.atomic(durable=True):
        locked = face_gate_lock(application_id=application.pk)
        if not face_gate_waiting(locked):
            raise Conflict(
                "This application no longer waits for a face check.",
                code="face_check_not_required",
            )
        VerificationSession.objects.filter(
            application=application, status=VerificationSession.Status.OPEN
        ).update(status=VerificationSession.Status.CLOSED, completed_at=now)
        return VerificationSession.objects.create(
            application=application,
            borrower=borrower,
            challenge=challenge_new(),
            nonce=secrets.token_hex(16),
            created_at=now,
            expires_at=now + ttl,
        )


@dataclass(frozen=True)
class AttemptOutcome:
    attempt: VerificationAttempt
    session: VerificationSession
    application: LoanApplication
    message: str
    failed_attempts: int
    attempts_left: int

    @property
    def counts_towards_refusal(self) -> bool:
        """A failed attempt that uses up one of the attempts allowed; an attempt in which
        no frame showed a face does not (it still counts towards the lock)."""
        return not self.attempt.passed and not self.attempt.no_face_seen


def _failed_attempts(application: LoanApplication) -> int:
    """The failures that count towards refusing the application."""
    return VerificationAttempt.objects.filter(
        session__application=application, passed=False, no_face_seen=False
    ).count()


def face_check_attempt_submit(
    *,
    borrower: User,
    session_public_id: Any,
    nonce: str,
    frames: Sequence[bytes],
    business_date: dt.date,
    now: dt.datetime,
) -> AttemptOutcome:
    """Verify one burst of frames against the session's challenge and the enrolled face.

    A wrong or expired nonce, or a closed session, is refused without counting as an
    attempt. Otherwise the attempt is recorded: passed releases the application to system
    review and disbursement; failed leaves a fresh challenge for the retry, until the
    configured number of failures refuses the application. An attempt in which no frame
    showed a face gets guidance and a fresh challenge too, but is not one of those
    failures; like every failure it counts towards the lock (`face_check_locked_until`)."""
    rules = face_check_rules()
    session = (
        VerificationSession.objects.select_related("application")
        .filter(public_id=session_public_id, borrower=borrower)
        .first()
    )
    if session is None:
        raise NotFound("No such face check.", code="not_found")
    _check_session(session, nonce=nonce, now=now)
    application = session.application
    _ready_for_face_check(borrower=borrower, application=application, now=now)
    if not frames:
        raise InvalidInput("Send the pictures from the camera.", code="no_frames")
    if len(frames) > int(rules["MAX_FRAMES"]):
        raise InvalidInput(f"Send at most {rules['MAX_FRAMES']} pictures.", code="too_many_frames")
    if any(len(frame) > int(rules["MAX_FRAME_BYTES"]) for frame in frames):
        raise InvalidInput("A picture is too large.", code="frame_too_large")

    enrolment = FaceEnrolment.objects.get(user=borrower)
    digests = [frame_digest(frame) for frame in frames]
    earlier = VerificationAttempt.objects.filter(borrower=borrower).values_list(
        "frame_hashes", flat=True
    )
    challenge = list(session.challenge)
    if any_seen(digests, (d for hashes in earlier for d in hashes)):
        result_fields = _result_fields_reused(challenge)
    else:
        result_fields = _result_fields(
            face.verify_attempt(
                frames, challenge, embeddings.embedding_open(enrolment.embedding_token)
            ),
            challenge,
        )
    names = [
        private_files.file_store(frame, folder=f"attempts/{borrower.public_id}") for frame in frames
    ]
    try:
        outcome = _record_attempt(
            session_id=session.pk,
            nonce=nonce,
            borrower=borrower,
            challenge=challenge,
            digests=digests,
            names=names,
            fields=result_fields,
            now=now,
        )
    except Exception:
        for name in names:
            private_files.file_delete(name)
        raise
    if outcome.attempt.passed:
        loan_disburse(application_id=application.pk, business_date=business_date, now=now)
        outcome.application.refresh_from_db()
    return outcome


def _check_session(session: VerificationSession, *, nonce: str, now: dt.datetime) -> None:
    if session.status != VerificationSession.Status.OPEN:
        raise Conflict("This face check is closed. Start a new one.", code="session_closed")
    if not secrets.compare_digest(session.nonce, nonce or ""):
        raise Conflict(
            "These pictures were not taken for this face check. Start a new one.",
            code="nonce_mismatch",
        )
    if session.expires_at <= now:
        raise Conflict("This face check has expired. Start a new one.", code="session_expired")


def _plain(value: Any) -> Any:
    """Engine figures as plain JSON values (numpy scalars become Python numbers)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _result_fields(result: face.AttemptResult, challenge: list[str]) -> dict[str, Any]:
    missing = result.missing_step or ""
    message = (
        ""
        if result.passed
        else message_for(
            NO_FACE_SEEN if result.no_face_seen else result.failure_code or "",
            challenge=challenge,
            missing=missing,
            fallback=result.failure_message or "",
        )
    )
    return {
        "passed": result.passed,
        "failure_code": result.failure_code or "",
        "failure_message": message[:300],
        "no_face_seen": result.no_face_seen,
        "best_distance": _decimal(result.best_distance),
        "consistency_distance": _decimal(result.consistency_distance),
        "match_threshold": _decimal(result.match_threshold),
        "duration_ms": int(result.timings.get("total", 0) * 1000),
        "details": {
            "steps_seen": result.steps_seen,
            "step_frames": result.step_frames,
            "start_frame": result.start_frame,
            "identity_frame": result.identity_frame,
            "embedded_frames": result.embedded_frames,
            "motion": _plain(dataclasses.asdict(result.motion)),
            "frames": [
                {
                    **_plain(dataclasses.asdict(frame)),
                    "issues": [issue.code for issue in frame.issues],
                }
                for frame in result.frames
            ],
            "timings_ms": {k: round(v * 1000, 1) for k, v in result.timings.items()},
        },
    }


def _result_fields_reused(challenge: list[str]) -> dict[str, Any]:
    return {
        "passed": False,
        "failure_code": "frames_reused",
        "failure_message": message_for("frames_reused", challenge=challenge)[:300],
        "best_distance": None,
        "consistency_distance": None,
        "match_threshold": _decimal(face.VerificationConfig().match_threshold),
        "duration_ms": 0,
        "details": {"replayed": True},
    }


def _record_attempt(
    *,
    session_id: int,
    nonce: str,
    borrower: User,
    challenge: list[str],
    digests: list[str],
    names: list[str],
    fields: dict[str, Any],
    now: dt.datetime,
) -> AttemptOutcome:
    rules = face_check_rules()
    application_id = VerificationSession.objects.values_list("application_id", flat=True).get(
        pk=session_id
    )
    with transaction.atomic(durable=True):
        # The face gate's lock order: the application, then its session.
        application = face_gate_lock(application_id=application_id)
        session = VerificationSession.objects.select_for_update().get(pk=session_id)
        # Re-checked under the locks: two uploads with the same nonce record one attempt,
        # and nothing is recorded once the application has moved on (a manual review).
        _check_session(session, nonce=nonce, now=now)
        if not face_gate_waiting(application):
            raise Conflict(
                "This application no longer waits for a face check.",
                code="face_check_not_required",
            )
        number = session.attempts.count() + 1
        attempt = VerificationAttempt.objects.create(
            session=session,
            borrower=borrower,
            number=number,
            submitted_at=now,
            challenge=challenge,
            frame_count=len(names),
            frame_hashes=digests,
            frame_names=names,
            **fields,
        )
        failed = _failed_attempts(application)
        limit = int(rules["MAX_FAILED_ATTEMPTS"])
        if attempt.passed:
            session.status = VerificationSession.Status.PASSED
            session.completed_at = now
            face_gate_record(
                application=application,
                outcome=FaceCheckOutcome.PASSED,
                now=now,
                reason=f"Face check passed (attempt {number}).",
            )
        elif failed >= limit:
            session.status = VerificationSession.Status.FAILED
            session.completed_at = now
            face_gate_record(
                application=application,
                outcome=FaceCheckOutcome.FAILED,
                now=now,
                reason=f"Face check failed {failed} times. Last: {attempt.failure_message}",
            )
        else:
            # A retry gets a new challenge and nonce: the old frames cannot be replayed.
            session.challenge = challenge_new()
            session.nonce = secrets.token_hex(16)
            session.expires_at = now + dt.timedelta(seconds=int(rules["SESSION_TTL_SECONDS"]))
        session.save()
    return AttemptOutcome(
        attempt=attempt,
        session=session,
        application=application,
        message=attempt.failure_message,
        failed_attempts=failed,
        attempts_left=max(limit - failed, 0) if not attempt.passed else 0,
    )
