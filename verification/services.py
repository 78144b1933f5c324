"""Face checks: enrolment, sessions and attempts, the manual-review alternative, and the
erasure and retention of face data.

The engine (verification.face) runs outside database transactions: it is CPU work of up to
a second. What it decides is then recorded in one short transaction under the session's
row lock, which also re-checks the nonce so an attempt can never be recorded twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction

from accounts.models import BiometricConsent, SecurityEvent, User
from accounts.selectors import biometric_consent_active
from accounts.services import biometric_consent_withdraw
from accounts.services.events import security_event_record
from common.exceptions import Conflict, DomainError, InvalidInput, NotFound
from common.request_context import ClientContext
from loans.models import ApplicationStatus, LoanApplication
from loans.services import loan_disburse
from loans.services.states import application_face_check_pass_locked, application_refuse_locked
from verification import face, vault
from verification.hashing import any_seen, frame_digest
from verification.messages import message_for
from verification.models import (
    FaceDataAccess,
    FaceDataEvent,
    FaceEnrolment,
    ManualReview,
    VerificationAttempt,
    VerificationSession,
)
from verification.selectors import face_check_locked_until

S = ApplicationStatus
FOUR_PLACES = Decimal("0.0001")


class FaceCheckLocked(DomainError):
    status_code = 429
    default_code = "face_check_locked"


def _rules() -> dict[str, Any]:
    return dict(settings.FACE_CHECK)


def _decimal(value: float | None) -> Decimal | None:  # float-ok: engine scores are floats
    """An engine score (a distance) as a Decimal for storage."""
    if value is None:
        return None
    return Decimal(str(round(value, 4))).quantize(FOUR_PLACES)


# --- enrolment and erasure -------------------------------------------------------------


def face_enrol(
    *, user: User, photo: bytes, context: ClientContext | None, now: dt.datetime
) -> FaceEnrolment:
    """Enrol (or replace) the borrower's reference face from one clear photo, after their
    biometric consent. The photo and the averaged embedding are stored encrypted.

    The reference is what every face check trusts, so replacing it is guarded: never while
    an application waits for a face check, only with a photo of the same person (otherwise
    staff must confirm identity), and recorded as a security change that the risk rules
    weigh on the next application."""
    if biometric_consent_active(user=user) is None:
        raise Conflict(
            "Give your consent to face processing before enrolling your face.",
            code="biometric_consent_required",
        )
    current = FaceEnrolment.objects.filter(user=user).first()
    if (
        current is not None
        and LoanApplication.objects.filter(borrower=user, status=S.FACE_CHECK_REQUIRED).exists()
    ):
        raise Conflict(
            "Your reference photo cannot be changed while an application waits for a face "
            "check. Finish or cancel that check first.",
            code="face_check_pending",
        )
    try:
        image = face.decode_image(photo)
        enrolment = face.enrol([image])
    except face.ImageDecodeError as exc:
        raise InvalidInput(str(exc), code="photo_unreadable") from exc
    except face.EnrolmentError as exc:
        raise InvalidInput(message_for(exc.code, fallback=exc.message), code=exc.code) from exc
    if current is not None:
        distance = face.face_distance(
            vault.embedding_open(current.embedding_token), enrolment.embedding
        )
        if distance > face.VerificationConfig().match_threshold:
            raise Conflict(
                "This photo does not match your current reference face. If your appearance "
                "has changed, ask our staff to confirm your identity.",
                code="face_replacement_mismatch",
            )
    photo_name = vault.file_store(photo, folder=f"enrolments/{user.public_id}")
    figures = enrolment.images[0]
    quality = {
        "face_width_fraction": round(figures.face_width_fraction, 3),
        "brightness": round(figures.brightness, 1),
        "sharpness": round(figures.sharpness, 1),
        "yaw": round(figures.yaw, 3),
        "pitch": round(figures.pitch, 3),
        "num_jitters": enrolment.num_jitters,
    }
    old_photo = ""
    try:
        with transaction.atomic(durable=True):
            existing = FaceEnrolment.objects.select_for_update().filter(user=user).first()
            if existing is not None:
                old_photo = existing.photo_name
                existing.delete()
            record = FaceEnrolment.objects.create(
                user=user,
                embedding_token=vault.embedding_seal(enrolment.embedding),
                photo_name=photo_name,
                quality=quality,
                enrolled_at=now,
            )
            FaceDataEvent.objects.create(
                user=user,
                kind=FaceDataEvent.Kind.REPLACED if old_photo else FaceDataEvent.Kind.ENROLLED,
                detail="Reference face enrolled from one photo.",
                occurred_at=now,
            )
            security_event_record(
                user=user,
                kind=(
                    SecurityEvent.Kind.FACE_REPLACED
                    if old_photo
                    else SecurityEvent.Kind.FACE_ENROLLED
                ),
                context=context,
                now=now,
            )
    except Exception:
        vault.file_delete(photo_name)
        raise
    if old_photo:
        vault.file_delete(old_photo)
    return record


def face_data_erase(*, user: User, now: dt.datetime, reason: str) -> int:
    """Delete everything of the borrower's face data: the reference photo and embedding and
    every attempt's frames. Attempt results (pass/fail, codes, scores) stay, as the record
    of what was decided. Returns how many files were deleted."""
    with transaction.atomic(durable=True):
        enrolment = FaceEnrolment.objects.select_for_update().filter(user=user).first()
        names = [enrolment.photo_name] if enrolment else []
        attempts = VerificationAttempt.objects.select_for_update().filter(
            borrower=user, frames_deleted_at__isnull=True
        )
        for attempt in attempts:
            names.extend(attempt.frame_names)
        attempts.update(frames_deleted_at=now, frame_names=[])
        if enrolment is not None:
            enrolment.delete()
        FaceDataEvent.objects.create(
            user=user, kind=FaceDataEvent.Kind.ERASED, detail=reason[:255], occurred_at=now
        )
    for name in names:
        vault.file_delete(name)
    return len(names)


def face_consent_withdraw(*, user: User, now: dt.datetime) -> BiometricConsent:
    """Withdraw the biometric consent and erase the borrower's face data with it."""
    # Erase first: if anything fails, the consent still stands and nothing is kept against
    # the borrower's will; the withdrawal then follows.
    face_data_erase(user=user, now=now, reason="Biometric consent withdrawn.")
    return biometric_consent_withdraw(user=user, now=now)


def face_data_access_record(
    *,
    staff: User,
    borrower_id: int,
    what: str,
    ip_address: str,
    now: dt.datetime,
    attempt: Any = None,
) -> FaceDataAccess:
    """Log that a member of staff looked at a borrower's face data (insert-only)."""
    return FaceDataAccess.objects.create(
        staff=staff,
        borrower_id=borrower_id,
        attempt=attempt,
        what=what[:64],
        accessed_at=now,
        ip_address=ip_address or None,
    )


def face_frames_purge(*, now: dt.datetime) -> int:
    """Delete attempt frames older than the retention period. Safe to run twice."""
    cutoff = now - dt.timedelta(days=int(_rules()["FRAME_RETENTION_DAYS"]))
    purged = 0
    ids = list(
        VerificationAttempt.objects.filter(submitted_at__lt=cutoff, frames_deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 500):
        with transaction.atomic(durable=True):
            attempts = list(
                VerificationAttempt.objects.select_for_update()
                .filter(pk__in=ids[start : start + 500], frames_deleted_at__isnull=True)
                .order_by("pk")
            )
            names = [name for attempt in attempts for name in attempt.frame_names]
            VerificationAttempt.objects.filter(pk__in=[a.pk for a in attempts]).update(
                frames_deleted_at=now, frame_names=[]
            )
            for user_id in sorted({a.borrower_id for a in attempts}):
                FaceDataEvent.objects.create(
                    user_id=user_id,
                    kind=FaceDataEvent.Kind.FRAMES_PURGED,
                    detail=f"Frames older than {cutoff:%Y-%m-%d} deleted.",
                    occurred_at=now,
                )
        for name in names:
            vault.file_delete(name)
        purged += len(attempts)
    return purged


# --- sessions and attempts -------------------------------------------------------------


def _challenge() -> list[str]:
    rules = _rules()
    fixed = [step for step in rules.get("FIXED_CHALLENGE", []) if step]
    if fixed:
        return list(fixed)
    return face.random_challenge(secrets.SystemRandom(), steps=int(rules["CHALLENGE_STEPS"]))


def _owned_application(*, borrower: User, application_public_id: Any) -> LoanApplication:
    application = LoanApplication.objects.filter(
        public_id=application_public_id, borrower=borrower
    ).first()
    if application is None:
        raise NotFound("No such application.", code="not_found")
    return application


def _ready_for_face_check(
    *, borrower: User, application: LoanApplication, now: dt.datetime
) -> None:
    if application.status != S.FACE_CHECK_REQUIRED:
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
    application = _owned_application(borrower=borrower, application_public_id=application_public_id)
    _ready_for_face_check(borrower=borrower, application=application, now=now)
    ttl = dt.timedelta(seconds=int(_rules()["SESSION_TTL_SECONDS"]))
    with transaction.atomic(durable=True):
        locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != S.FACE_CHECK_REQUIRED:
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
            challenge=_challenge(),
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


def _failed_attempts(application: LoanApplication) -> int:
    return VerificationAttempt.objects.filter(
        session__application=application, passed=False
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
    configured number of failures refuses the application."""
    rules = _rules()
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
            face.verify_attempt(frames, challenge, vault.embedding_open(enrolment.embedding_token)),
            challenge,
        )
    names = [vault.file_store(frame, folder=f"attempts/{borrower.public_id}") for frame in frames]
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
            vault.file_delete(name)
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
            result.failure_code or "",
            challenge=challenge,
            missing=missing,
            fallback=result.failure_message or "",
        )
    )
    return {
        "passed": result.passed,
        "failure_code": result.failure_code or "",
        "failure_message": message[:300],
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
    rules = _rules()
    application_id = VerificationSession.objects.values_list("application_id", flat=True).get(
        pk=session_id
    )
    with transaction.atomic(durable=True):
        # Locks in one order everywhere: the application, then its session.
        application = LoanApplication.objects.select_for_update().get(pk=application_id)
        session = VerificationSession.objects.select_for_update().get(pk=session_id)
        # Re-checked under the locks: two uploads with the same nonce record one attempt,
        # and nothing is recorded once the application has moved on (a manual review).
        _check_session(session, nonce=nonce, now=now)
        if application.status != S.FACE_CHECK_REQUIRED:
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
            application_face_check_pass_locked(
                application, now=now, reason=f"Face check passed (attempt {number})."
            )
        elif failed >= limit:
            session.status = VerificationSession.Status.FAILED
            session.completed_at = now
            application_refuse_locked(
                application,
                now=now,
                code="face_check_failed",
                reason=f"Face check failed {failed} times. Last: {attempt.failure_message}",
            )
        else:
            # A retry gets a new challenge and nonce: the old frames cannot be replayed.
            session.challenge = _challenge()
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


# --- manual review ---------------------------------------------------------------------


def manual_review_request(
    *, borrower: User, application_public_id: Any, reason: str, note: str, now: dt.datetime
) -> ManualReview:
    """Ask staff to confirm identity instead of a face check (no camera, no consent)."""
    if reason not in ManualReview.Reason.values:
        raise InvalidInput("Choose why you need a manual review.", code="reason_invalid")
    application = _owned_application(borrower=borrower, application_public_id=application_public_id)
    with transaction.atomic(durable=True):
        application = LoanApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != S.FACE_CHECK_REQUIRED:
            raise Conflict(
                "This application does not need an identity check now.",
                code="face_check_not_required",
            )
        review, created = ManualReview.objects.get_or_create(
            application=application,
            defaults={
                "borrower": borrower,
                "reason": reason,
                "borrower_note": note[:255],
                "requested_at": now,
            },
        )
        if not created and review.status != ManualReview.Status.PENDING:
            raise Conflict("This application was already reviewed.", code="review_decided")
    return review


def manual_review_decide(
    *,
    review_id: int,
    reviewer: User,
    approve: bool,
    note: str,
    business_date: dt.date,
    now: dt.datetime,
) -> ManualReview:
    """Staff confirm the borrower's identity (the application continues to system review
    and disbursement) or not (it is refused)."""
    if not reviewer.is_staff:
        raise Conflict("Only staff decide manual reviews.", code="not_staff")
    if not note.strip():
        raise InvalidInput("Say how the identity was checked.", code="note_required")
    application_id = ManualReview.objects.values_list("application_id", flat=True).get(pk=review_id)
    with transaction.atomic(durable=True):
        # The application first, as every service that touches it locks it first.
        application = LoanApplication.objects.select_for_update().get(pk=application_id)
        review = ManualReview.objects.select_for_update().get(pk=review_id)
        if review.status != ManualReview.Status.PENDING:
            raise Conflict("This review is already decided.", code="review_decided")
        review.status = ManualReview.Status.APPROVED if approve else ManualReview.Status.REJECTED
        review.reviewer = reviewer
        review.decided_at = now
        review.decision_note = note[:255]
        review.save()
        verdict = "confirmed" if approve else "not confirmed"
        reason = f"Identity {verdict} by {reviewer} (manual review): {note}"
        if approve:
            application_face_check_pass_locked(
                application, now=now, reason=reason[:255], actor=reviewer
            )
        else:
            application_refuse_locked(
                application, now=now, code="manual_review_rejected", reason=reason, actor=reviewer
            )
    if approve:
        loan_disburse(application_id=application.pk, business_date=business_date, now=now)
    return review


def face_data_rotate_keys() -> tuple[int, int]:
    """Re-encrypt all face data with the primary key. Returns (files, embeddings)."""
    files = tokens = 0
    for enrolment_id in FaceEnrolment.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            enrolment = FaceEnrolment.objects.select_for_update().get(pk=enrolment_id)
            vault.file_rotate(enrolment.photo_name)
            enrolment.embedding_token = vault.rotate(enrolment.embedding_token.encode()).decode()
            enrolment.save(update_fields=["embedding_token"])
        files += 1
        tokens += 1
    attempts = VerificationAttempt.objects.filter(frames_deleted_at__isnull=True).order_by("pk")
    for names in attempts.values_list("frame_names", flat=True):
        for name in names:
            vault.file_rotate(name)
            files += 1
    return files, tokens
