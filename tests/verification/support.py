"""Helpers for the face-check tests (fixtures are in conftest.py)."""

import datetime as dt
from decimal import Decimal

import numpy as np
from django.utils import timezone

from accounts.models import User
from loans.models import LoanApplication
from loans.services import loan_application_submit
from tests.loans.factories import CLIENT, MicroProductFactory
from tests.verification import frames as F

PERSON = "Tony_Blair"
OTHER_PERSON = "Gerhard_Schroeder"
CHALLENGE = ["turn_left", "turn_right"]


def still_frames(script: F.ChallengeScript, count: int = 8, seed: int = 3) -> list[bytes]:
    """A still photo held to the camera: the same picture, only sensor noise between frames."""
    photo = F.place_in_frame(F.load_rgb(script.start.path), scale=1.8)
    rng = np.random.default_rng(seed)
    return [F.encode_jpeg(F.add_noise(photo, 1.5, rng)) for _ in range(count)]


def empty_scene_frames(count: int = 8, seed: int = 0) -> list[bytes]:
    """A burst of frames with nobody in front of the camera."""
    scene = F.empty_scene()
    rng = np.random.default_rng(seed)
    return [F.encode_jpeg(F.add_noise(scene, 1.5, rng)) for _ in range(count)]


def submit_draw(person: User, amount: str, key: str, business_date: dt.date) -> LoanApplication:
    return loan_application_submit(
        borrower=person,
        product=MicroProductFactory.create(),
        amount=Decimal(amount),
        term=5,
        method="equal_principal",
        idempotency_key=key,
        client=CLIENT,
        business_date=business_date,
        now=timezone.now(),
        terms_accepted=True,
    ).application


def waiting_application(
    person: User, business_date: dt.date, amount: str = "8000"
) -> LoanApplication:
    """A first small loan, then a larger draw the risk rules send to a face check."""
    if not person.loans.exists():
        submit_draw(person, "1000", "first", business_date)
    application = submit_draw(
        person, amount, f"big-{amount}-{timezone.now().timestamp()}", business_date
    )
    assert application.status == "face_check_required"
    return application
