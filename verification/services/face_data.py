"""The borrower's face data after enrolment: erasure (and with it the withdrawal of the
biometric consent), staff access records, retention and key rotation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from accounts.models import BiometricConsent, User
from accounts.services import biometric_consent_withdraw
from common import private_files
from verification.models import FaceDataAccess, FaceDataEvent, FaceEnrolment, VerificationAttempt
from verification.services._shared import face_check_rules


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
        private_files.file_delete(name)
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
    cutoff = now - dt.timedelta(days=int(face_check_rules()["FRAME_RETENTION_DAYS"]))
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
            private_files.file_delete(name)
        purged += len(attempts)
    return purged


def face_data_rotate_keys() -> tuple[int, int]:
    """Re-encrypt all face data with the primary key. Returns (files, embeddings)."""
    files = tokens = 0
    for enrolment_id in FaceEnrolment.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            enrolment = FaceEnrolment.objects.select_for_update().get(pk=enrolment_id)
            private_files.file_rotate(enrolment.photo_name)
            enrolment.embedding_token = private_files.rotate(
                enrolment.embedding_token.encode()
            ).decode()
            enrolment.save(update_fields=["embedding_token"])
        files += 1
        tokens += 1
    attempts = VerificationAttempt.objects.filter(frames_deleted_at__isnull=True).order_by("pk")
    for names in attempts.values_list("frame_names", flat=True):
        for name in names:
            private_files.file_rotate(name)
            files += 1
    return files, tokens
