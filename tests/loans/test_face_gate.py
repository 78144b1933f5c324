"""The face gate (loans/services/face_gate.py): what each outcome of a face check does to
an application waiting for one, under the application's lock."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone, translation

from common.exceptions import Conflict
from loans.models import ApplicationEvent, ApplicationStatus, LoanApplication
from loans.services import (
    FaceCheckOutcome,
    face_gate_lock,
    face_gate_record,
    face_gate_waiting,
    loan_application_cancel,
    loan_application_submit,
    loan_disburse,
)
from tests.accounts.factories import StaffFactory
from tests.loans.factories import CLIENT, MicroProductFactory, borrower

S = ApplicationStatus
DAYTIME = dt.datetime(2024, 5, 10, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _submit(person, product, amount, key):
    return loan_application_submit(
        borrower=person,
        product=product,
        amount=Decimal(amount),
        term=5,
        method="equal_principal",
        idempotency_key=key,
        client=CLIENT,
        business_date=dt.date(2024, 5, 10),
        now=DAYTIME,
        terms_accepted=True,
    ).application


@pytest.fixture
def waiting(business_date):
    """A second, larger draw that the risk rules send to a face check."""
    product = MicroProductFactory.create()
    person = borrower(business_date=business_date)
    _submit(person, product, "1000", "first")
    application = _submit(person, product, "8000", "second")
    assert application.status == S.FACE_CHECK_REQUIRED
    return application


def _record(application_id, outcome, actor=None, reason="why"):
    now = timezone.now()
    with transaction.atomic():
        application = face_gate_lock(application_id=application_id)
        face_gate_record(
            application=application, outcome=outcome, now=now, reason=reason, actor=actor
        )
    return now


def _moves(application):
    """The moves the gate made (the submission's own moves end in face_check_required)."""
    return list(
        ApplicationEvent.objects.filter(application=application)
        .exclude(to_status=S.FACE_CHECK_REQUIRED)
        .exclude(from_status="")
        .order_by("occurred_at", "pk")
        .values_list("from_status", "to_status", "source", "actor_id")
    )


def test_a_pass_releases_the_application_to_system_review(waiting, business_date):
    now = _record(waiting.pk, FaceCheckOutcome.PASSED, reason="Face check passed (attempt 1).")
    waiting.refresh_from_db()
    assert waiting.status == S.APPROVED
    assert waiting.face_check_passed_at == now
    assert _moves(waiting) == [
        (S.FACE_CHECK_REQUIRED, S.FACE_CHECK_PASSED, "system", None),
        (S.FACE_CHECK_PASSED, S.APPROVED, "system", None),
    ]
    result = loan_disburse(application_id=waiting.pk, business_date=business_date, now=now)
    assert result.loan is not None


def test_staff_confirming_the_identity_is_a_pass_in_their_name(waiting):
    staff = StaffFactory.create()
    _record(waiting.pk, FaceCheckOutcome.IDENTITY_CONFIRMED, actor=staff)
    waiting.refresh_from_db()
    assert waiting.status == S.APPROVED
    assert waiting.face_check_passed_at is not None
    assert _moves(waiting)[0] == (S.FACE_CHECK_REQUIRED, S.FACE_CHECK_PASSED, "staff", staff.pk)


@pytest.mark.parametrize(
    ("outcome", "by_staff", "label"),
    [
        (FaceCheckOutcome.PASSED, False, "Face check passed"),
        (FaceCheckOutcome.IDENTITY_CONFIRMED, True, "Approved by staff review"),
    ],
)
def test_the_history_says_who_opened_the_gate(waiting, outcome, by_staff, label):
    _record(waiting.pk, outcome, actor=StaffFactory.create() if by_staff else None)
    event = ApplicationEvent.objects.get(application=waiting, to_status=S.FACE_CHECK_PASSED)
    approved = ApplicationEvent.objects.get(application=waiting, to_status=S.APPROVED)
    with translation.override("en"):
        assert event.history_label == label
        assert approved.history_label == "Approved"


@pytest.mark.parametrize(
    ("outcome", "by_staff", "code"),
    [
        (FaceCheckOutcome.FAILED, False, "face_check_failed"),
        (FaceCheckOutcome.IDENTITY_NOT_CONFIRMED, True, "manual_review_rejected"),
    ],
)
def test_a_final_failure_refuses_the_application(waiting, outcome, by_staff, code):
    staff = StaffFactory.create() if by_staff else None
    _record(waiting.pk, outcome, actor=staff, reason="Failed three times.")
    waiting.refresh_from_db()
    assert waiting.status == S.REFUSED
    assert waiting.refusal_code == code
    assert waiting.refusal_reason == "Failed three times."
    assert waiting.face_check_passed_at is None
    assert _moves(waiting) == [
        (S.FACE_CHECK_REQUIRED, S.REFUSED, "staff" if staff else "system", staff and staff.pk)
    ]


def test_an_application_that_no_longer_waits_is_left_as_it_is(waiting):
    loan_application_cancel(application_id=waiting.pk, borrower=waiting.borrower, now=DAYTIME)
    with transaction.atomic():
        assert not face_gate_waiting(face_gate_lock(application_id=waiting.pk))
    before = list(LoanApplication.objects.filter(pk=waiting.pk).values())
    events = ApplicationEvent.objects.count()
    for outcome in (FaceCheckOutcome.PASSED, FaceCheckOutcome.FAILED):
        with pytest.raises(Conflict) as caught:
            _record(waiting.pk, outcome)
        assert caught.value.code == "invalid_transition"
    assert list(LoanApplication.objects.filter(pk=waiting.pk).values()) == before
    assert ApplicationEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_the_gate_locks_only_inside_the_callers_transaction():
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        face_gate_lock(application_id=1)  # a lock outside a transaction would end at once


def test_the_outcomes_of_a_manual_review_name_the_reviewer(waiting):
    with pytest.raises(ValueError, match="reviewer"):
        _record(waiting.pk, FaceCheckOutcome.IDENTITY_CONFIRMED)
    with pytest.raises(ValueError, match="reviewer"):
        _record(waiting.pk, FaceCheckOutcome.PASSED, actor=StaffFactory.create())
    waiting.refresh_from_db()
    assert waiting.status == S.FACE_CHECK_REQUIRED
