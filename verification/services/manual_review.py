"""The manual-review alternative to a face check (no camera, no consent): the borrower
asks, staff confirm the identity or not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.exceptions import Conflict, InvalidInput
from loans.services import (
    FaceCheckOutcome,
    face_gate_lock,
    face_gate_record,
    face_gate_waiting,
    loan_disburse,
)
from verification.models import ManualReview
from verification.services._shared import owned_application


def manual_review_request(
    *, borrower: User, application_public_id: Any, reason: str, note: str, now: dt.datetime
) -> ManualReview:
    """Ask staff to confirm identity instead of a face check (no camera, no consent)."""
    if reason not in ManualReview.Reason.values:
        raise InvalidInput("Choose why you need a manual review.", code="reason_invalid")
    application = owned_application(borrower=borrower, application_public_id=application_public_id)
    with transaction.atomic(durable=True):
        application = face_gate_lock(application_id=application.pk)
        if not face_gate_waiting(application):
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
        # The face gate's lock order: the application, then the review.
        application = face_gate_lock(application_id=application_id)
        review = ManualReview.objects.select_for_update().get(pk=review_id)
        if review.status != ManualReview.Status.PENDING:
            raise Conflict("This review is already decided.", code="review_decided")
        if reviewer.pk == review.borrower_id:
            # Maker-checker: whoever asked for the review never decides it.
            raise Conflict(
                str(_("You asked for this review, so someone else must decide it.")),
                code="maker_checker",
            )
        review.status = ManualReview.Status.APPROVED if approve else ManualReview.Status.REJECTED
        review.reviewer = reviewer
        review.decided_at = now
        review.decision_note = note[:255]
        review.save()
        verdict = "confirmed" if approve else "not confirmed"
        reason = f"Identity {verdict} by {reviewer} (manual review): {note}"
        face_gate_record(
            application=application,
            outcome=(
                FaceCheckOutcome.IDENTITY_CONFIRMED
                if approve
                else FaceCheckOutcome.IDENTITY_NOT_CONFIRMED
            ),
            now=now,
            reason=reason[:255],
            actor=reviewer,
        )
    if approve:
        loan_disburse(application_id=application.pk, business_date=business_date, now=now)
    return review
