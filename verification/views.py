"""Borrower pages of the face check: enrolling the reference face, the camera page,
asking for a manual review instead, and withdrawing the biometric consent from the
profile page (which erases the face data)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import borrower_required
from accounts.models import User
from accounts.selectors import biometric_consent_active
from common.exceptions import DomainError, NotFound
from common.redirects import same_site_path
from loans.models import ApplicationStatus
from loans.selectors import application_get_for_borrower
from verification.messages import STEP_INSTRUCTIONS, STEP_NAMES
from verification.models import FaceEnrolment, ManualReview
from verification.selectors import face_check_state
from verification.services import face_consent_withdraw, manual_review_request

# The camera page's timeline (milliseconds), from the moment one face has been well placed
# for `get_ready_ms` (or, when it is from the start, from the start of the guidance). The
# browser test builds its fake camera video to the same plan, so keep docs/face-check.md in
# step when changing it.
TIMELINE: dict[str, Any] = {
    "get_ready_ms": 2000,
    "neutral_captures_ms": [0, 600],
    "step_ms": 3000,
    "step_captures_ms": [1200, 1800, 2400],
    "step_captures_ms_three_steps": [1500, 2300],
    "frame_width": 640,
    "hint_every_ms": 900,
}


# Live hints that stop the page from capturing and sending an attempt: it keeps guiding
# until one face is well placed (in the frame, the right size, in enough light).
CAPTURE_BLOCKED_BY = (
    "no_face",
    "multiple_faces",
    "face_cut_off",
    "face_too_small",
    "too_close",
    "too_dark",
    "undecodable_frame",
)


def _consent_url(back_to: str) -> str:
    """The consent form on the profile page, which returns to `back_to` once given."""
    return f"{reverse('loans:profile')}?{urlencode({'next': back_to})}#biometric-consent"


def _borrower(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # borrower_required guarantees it
    return user


def _page_text() -> dict[str, Any]:
    return {
        "steps": {step: str(text) for step, text in STEP_INSTRUCTIONS.items()},
        "step_names": {step: str(text) for step, text in STEP_NAMES.items()},
        "look": _("Look straight at the camera and keep still."),
        "get_ready": _("Get ready: fit your face inside the oval."),
        "waiting_for_face": _("We start as soon as one face is well inside the oval."),
        "looks_good": _("Looks good. Keep your face inside the oval."),
        "no_camera": _(
            "We could not open your camera. Allow camera access in your browser, or ask for a manual review below."
        ),
        "starting": _("Starting the camera…"),
        "uploading": _("Sending the pictures…"),
        "checking": _("Checking…"),
        "passed": _("Face check passed. Thank you!"),
        "failed": _("The face check did not pass."),
        "refused": _(
            "The face check failed too many times, so this application was refused. You can apply again later."
        ),
        "attempts_left": _("Attempts left: %(n)s"),
        "step_of": _("Step %(n)s of %(total)s"),
        "network": _("The connection was lost. Please try again."),
        "photo_taken": _("Photo taken. Saving…"),
        "enrolled": _("Your face is enrolled."),
    }


@borrower_required
def enrol(request: HttpRequest) -> HttpResponse:
    borrower = _borrower(request)
    next_url = same_site_path(request.GET.get("next"))
    return render(
        request,
        "verification/enrol.html",
        {
            "consent": biometric_consent_active(user=borrower),
            "enrolment": FaceEnrolment.objects.filter(user=borrower).first(),
            "consent_url": _consent_url(request.get_full_path()),
            "next_url": next_url or reverse("loans:profile"),
            "config": {
                "enrol_url": reverse("verification-api:enrolment"),
                "hints_url": reverse("verification-api:hints"),
                "next_url": next_url or reverse("loans:profile"),
                "timeline": TIMELINE,
                "text": _page_text(),
            },
        },
    )


@borrower_required
def face_check(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    borrower = _borrower(request)
    try:
        application = application_get_for_borrower(borrower=borrower, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if application.status != ApplicationStatus.FACE_CHECK_REQUIRED:
        return redirect("loans:application", public_id=public_id)
    state = face_check_state(borrower=borrower, application_id=application.pk, now=timezone.now())
    consent = biometric_consent_active(user=borrower)
    here = reverse("verification:face-check", kwargs={"public_id": public_id})
    return render(
        request,
        "verification/face_check.html",
        {
            "application": application,
            "state": state,
            "consent": consent,
            "review": ManualReview.objects.filter(application=application).first(),
            "enrol_url": f"{reverse('verification:enrol')}?{urlencode({'next': here})}",
            "consent_url": _consent_url(here),
            "config": {
                "start_url": reverse("verification-api:start", kwargs={"public_id": public_id}),
                "attempts_url": reverse(
                    "verification-api:attempts", kwargs={"public_id": uuid.UUID(int=0)}
                ),
                "hints_url": reverse("verification-api:hints"),
                "application_url": reverse("loans:application", kwargs={"public_id": public_id}),
                "timeline": TIMELINE,
                "blocking_hints": CAPTURE_BLOCKED_BY,
                "text": _page_text(),
            },
        },
    )


@require_POST
@borrower_required
def manual_review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        manual_review_request(
            borrower=_borrower(request),
            application_public_id=public_id,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            now=timezone.now(),
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _(
                "Thank you. Our staff will contact you to confirm your identity, usually within one working day."
            ),
        )
    return redirect("loans:application", public_id=public_id)


@require_POST
@borrower_required
def biometric_consent_withdraw(request: HttpRequest) -> HttpResponse:
    try:
        # Withdrawing the consent also erases every bit of the borrower's face data.
        face_consent_withdraw(user=_borrower(request), now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _(
                "You have withdrawn your consent to face recognition. "
                "When a check is needed, our staff will review your application instead."
            ),
        )
    return redirect("loans:profile")
