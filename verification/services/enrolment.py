"""Enrolling (or replacing) the borrower's reference face."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import SecurityEvent, User
from accounts.selectors import biometric_consent_active
from accounts.services.events import security_event_record
from common import private_files
from common.exceptions import Conflict, InvalidInput
from common.request_context import ClientContext
from loans.models import ApplicationStatus, LoanApplication
from verification import embeddings, face
from verification.messages import message_for
from verification.models import FaceDataEvent, FaceEnrolment

S = ApplicationStatus


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
            embeddings.embedding_open(current.embedding_token), enrolment.embedding
        )
        if distance > face.VerificationConfig().match_threshold:
            raise Conflict(
                "This photo does not match your current reference face. If your appearance "
                "has changed, ask our staff to confirm your identity.",
                code="face_replacement_mismatch",
            )
    photo_name = private_files.file_store(photo, folder=f"enrolments/{user.public_id}")
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
                embedding_token=embeddings.embedding_seal(enrolment.embedding),
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
        private_files.file_delete(photo_name)
        raise
    if old_photo:
        private_files.file_delete(old_photo)
    return record
