"""Reads of the face check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from accounts.models import User
from verification.models import FaceEnrolment, VerificationAttempt, VerificationSession


def face_check_locked_until(*, borrower: User, now: dt.datetime) -> dt.datetime | None:
    """When the borrower's face checks unlock, if they are locked: the configured number of
    failures within the window locks them for the lock period from the last of those.
    Every attempt that did not pass counts, those in which no frame showed a face too."""
    rules = settings.FACE_CHECK
    needed = int(rules["LOCK_AFTER_FAILURES"])
    window = dt.timedelta(hours=int(rules["LOCK_WINDOW_HOURS"]))
    lock = dt.timedelta(hours=int(rules["LOCK_HOURS"]))
    failures = list(
        VerificationAttempt.objects.filter(
            borrower=borrower, passed=False, submitted_at__gt=now - lock - window
        )
        .order_by("submitted_at", "pk")
        .values_list("submitted_at", flat=True)
    )
    locked_until = None
    for index in range(needed - 1, len(failures)):
        last = failures[index]
        if last - failures[index - needed + 1] <= window and last + lock > now:
            locked_until = last + lock
    return locked_until


@dataclass(frozen=True)
class FaceCheckState:
    enrolled: bool
    failed_attempts: int
    attempts_left: int
    locked_until: dt.datetime | None
    open_session: VerificationSession | None


def face_check_state(*, borrower: User, application_id: int, now: dt.datetime) -> FaceCheckState:
    failed = VerificationAttempt.objects.filter(
        session__application_id=application_id, passed=False, no_face_seen=False
    ).count()
    return FaceCheckState(
        enrolled=FaceEnrolment.objects.filter(user=borrower).exists(),
        failed_attempts=failed,
        attempts_left=max(int(settings.FACE_CHECK["MAX_FAILED_ATTEMPTS"]) - failed, 0),
        locked_until=face_check_locked_until(borrower=borrower, now=now),
        open_session=VerificationSession.objects.filter(
            application_id=application_id, status=VerificationSession.Status.OPEN
        )
        .order_by("-created_at", "-pk")
        .first(),
    )


@dataclass(frozen=True)
class CaptureHint:
    code: str
    message: str


def face_capture_hints(*, frame: bytes) -> list[CaptureHint]:
    """Live guidance for the camera page: what is wrong with this preview frame right now
    (too dark, too far, not centred, ...), most important first. Changes nothing."""
    from verification import face
    from verification.messages import message_for

    try:
        image = face.decode_image(frame)
    except face.ImageDecodeError:
        return [CaptureHint("undecodable_frame", message_for("undecodable_frame"))]
    analysis = face.analyze_frame(image, thorough=False)
    return [
        CaptureHint(issue.code, message_for(issue.code, fallback=issue.message))
        for issue in face.check_quality(analysis)
    ]
