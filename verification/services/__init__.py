"""Writes of the verification app: face checks, enrolment, the manual-review alternative,
and the erasure and retention of face data (see the modules).

What a check's outcome does to the application is the loans app's face gate
(`loans.services.face_gate`); these services call it under its lock order."""

from verification.services.checks import (
    AttemptOutcome,
    FaceCheckLocked,
    face_check_attempt_submit,
    face_check_session_start,
)
from verification.services.enrolment import face_enrol
from verification.services.face_data import (
    face_consent_withdraw,
    face_data_access_record,
    face_data_erase,
    face_data_rotate_keys,
    face_frames_purge,
)
from verification.services.manual_review import manual_review_decide, manual_review_request

__all__ = [
    "AttemptOutcome",
    "FaceCheckLocked",
    "face_check_attempt_submit",
    "face_check_session_start",
    "face_consent_withdraw",
    "face_data_access_record",
    "face_data_erase",
    "face_data_rotate_keys",
    "face_enrol",
    "face_frames_purge",
    "manual_review_decide",
    "manual_review_request",
]
