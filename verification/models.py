"""Face checks: enrolled reference faces, verification sessions and their attempts, the
manual-review alternative, and the log of staff access to face data.

Face data is sensitive personal information. Reference photos, attempt frames and
embeddings are encrypted at rest (common.private_files, verification.embeddings; keys
from the environment) and kept in private storage outside any public URL; rows here hold
only ciphertext or references.

Invariants (database constraints):
- one reference face per borrower;
- one open verification session per application;
- attempt numbers are unique within a session;
- one manual review per application;
- a passed session has its completion time;
- an attempt in which no frame showed a face did not pass.

An attempt in which no frame showed a face (`no_face_seen`) is answered with guidance: it
is not one of the failures that refuse the application, but it counts towards the lock
after repeated failures, so it cannot be used to probe without limit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FaceEnrolment(models.Model):
    """The borrower's reference face: the averaged embedding and the photo it came from."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="face_enrolment"
    )
    embedding_token = models.TextField(_("embedding (encrypted)"), editable=False)
    photo_name = models.CharField(_("reference photo (encrypted file)"), max_length=200)
    quality = models.JSONField(_("quality figures"), default=dict)
    enrolled_at = models.DateTimeField(_("enrolled at"))

    class Meta:
        verbose_name = _("face enrolment")
        verbose_name_plural = _("face enrolments")
        permissions = [("view_face_data", "Can view face images and verification frames")]

    def __str__(self) -> str:
        return f"{self.user} enrolled {self.enrolled_at:%Y-%m-%d}"


class FaceDataEvent(models.Model):
    """What happened to a borrower's face data: enrolled, replaced, erased (insert-only)."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        REPLACED = "replaced", _("Re-enrolled (replaced)")
        ERASED = "erased", _("Erased")
        FRAMES_PURGED = "frames_purged", _("Attempt frames deleted after retention")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="face_data_events"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    detail = models.CharField(max_length=255, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("face data event")
        verbose_name_plural = _("face data events")
        indexes = [models.Index(fields=["user", "occurred_at"], name="face_event_by_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class VerificationSession(models.Model):
    """One required face check of one application: a random challenge with a nonce and an
    expiry. A failed attempt gets a fresh challenge and nonce for the retry."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed (application refused)")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "loans.LoanApplication", on_delete=models.PROTECT, related_name="face_sessions"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="face_sessions"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    challenge = models.JSONField(_("challenge steps"))
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification session")
        verbose_name_plural = _("verification sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="open"),
                name="one_open_face_session_per_application",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(completed_at__isnull=False),
                name="face_session_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.status}"


class VerificationAttempt(models.Model):
    session = models.ForeignKey(
        VerificationSession, on_delete=models.PROTECT, related_name="attempts"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="face_attempts"
    )
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    challenge = models.JSONField(_("challenge steps"))
    passed = models.BooleanField()
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    no_face_seen = models.BooleanField(
        _("no face in any frame"),
        default=False,
        help_text=_(
            "Not one of the failures that refuse the application; counts towards the lock."
        ),
    )
    best_distance = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    consistency_distance = models.DecimalField(
        max_digits=6, decimal_places=4, null=True, blank=True
    )
    match_threshold = models.DecimalField(max_digits=6, decimal_places=4)
    frame_count = models.PositiveSmallIntegerField()
    # Per-frame quality, liveness steps, motion and timings, for staff review.
    details = models.JSONField(default=dict)
    # Perceptual hashes of the frames, to refuse frames replayed from earlier attempts.
    frame_hashes = models.JSONField(default=list)
    frame_names = models.JSONField(_("frames (encrypted files)"), default=list)
    frames_deleted_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="attempt_number_unique"),
            models.CheckConstraint(
                condition=Q(no_face_seen=False) | Q(passed=False),
                name="attempt_without_face_did_not_pass",
            ),
        ]
        indexes = [
            models.Index(fields=["borrower", "submitted_at"], name="attempt_by_borrower"),
            models.Index(
                fields=["submitted_at"],
                condition=Q(frames_deleted_at__isnull=True),
                name="attempt_frames_kept",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {'passed' if self.passed else self.failure_code}"


class ManualReview(models.Model):
    """The alternative to the face check (no camera, or no biometric consent): staff
    verify the borrower by video call or documents. Never a silent bypass: it is requested
    by the borrower, decided by named staff, and logged."""

    class Reason(models.TextChoices):
        NO_CAMERA = "no_camera", _("No camera")
        NO_CONSENT = "no_consent", _("No biometric consent")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for staff")
        APPROVED = "approved", _("Identity confirmed")
        REJECTED = "rejected", _("Identity not confirmed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        "loans.LoanApplication", on_delete=models.PROTECT, related_name="manual_review"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="manual_reviews"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    borrower_note = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("manual identity review")
        verbose_name_plural = _("manual identity reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending")
                | (Q(reviewer__isnull=False) & Q(decided_at__isnull=False)),
                name="manual_review_decided_by_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


class FaceDataAccess(models.Model):
    """Every time staff look at face data (insert-only)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="face_data_accesses"
    )
    attempt = models.ForeignKey(
        VerificationAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(max_length=64)
    accessed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("face data access")
        verbose_name_plural = _("face data accesses")

    def __str__(self) -> str:
        return f"{self.staff} {self.what} {self.accessed_at:%Y-%m-%d %H:%M}"
