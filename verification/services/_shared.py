"""What the face-check services share: the configured rules, the challenge, and finding
the caller's own application."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings

from accounts.models import User
from common.exceptions import NotFound
from loans.models import LoanApplication
from verification import face


def face_check_rules() -> dict[str, Any]:
    return dict(settings.FACE_CHECK)


def challenge_new() -> list[str]:
    rules = face_check_rules()
    fixed = [step for step in rules.get("FIXED_CHALLENGE", []) if step]
    if fixed:
        return list(fixed)
    return face.random_challenge(secrets.SystemRandom(), steps=int(rules["CHALLENGE_STEPS"]))


def owned_application(*, borrower: User, application_public_id: Any) -> LoanApplication:
    application = LoanApplication.objects.filter(
        public_id=application_public_id, borrower=borrower
    ).first()
    if application is None:
        raise NotFound("No such application.", code="not_found")
    return application
