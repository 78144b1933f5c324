"""The face check end to end through the services, on the real face model and real photos."""

import datetime as dt

import numpy as np
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.consent import BIOMETRIC_CONSENT_VERSION
from accounts.services import biometric_consent_grant
from common import private_files
from common.exceptions import Conflict, InvalidInput
from loans.models import Loan
from tests.loans.factories import CLIENT, borrower
from tests.verification import frames as F
from tests.verification.support import empty_scene_frames, still_frames, waiting_application
from verification import embeddings
from verification.models import (
    FaceDataEvent,
    FaceEnrolment,
    ManualReview,
    VerificationAttempt,
    VerificationSession,
)
from verification.selectors import face_check_locked_until
from verification.services import (
    FaceCheckLocked,
    face_check_attempt_submit,
    face_check_session_start,
    face_consent_withdraw,
    face_enrol,
    face_frames_purge,
    manual_review_decide,
    manual_review_request,
)


def start(person, application, now=None):
    return face_check_session_start(
        borrower=person, application_public_id=application.public_id, now=now or timezone.now()
    )


def send(person, session, frames, business_date, now=None, nonce=None):
    return face_check_attempt_submit(
        borrower=person,
        session_public_id=session.public_id,
        nonce=session.nonce if nonce is None else nonce,
        frames=frames,
        business_date=business_date,
        now=now or timezone.now(),
    )


@pytest.fixture
def enrolled(consenting, reference_photo):
    face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    return consenting


def test_enrolment_is_encrypted_at_rest_and_logged(consenting, reference_photo, private_storage):
    enrolment = face_enrol(
        user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now()
    )
    raw = (private_storage / enrolment.photo_name).read_bytes()
    assert not raw.startswith(b"\xff\xd8")  # not a JPEG on disk
    assert private_files.file_read(enrolment.photo_name) == reference_photo
    embedding = embeddings.embedding_open(enrolment.embedding_token)
    assert embedding.shape == (128,)
    assert abs(float(np.linalg.norm(embedding)) - 1) < 1e-3
    assert enrolment.quality["face_width_fraction"] > 0
    again = face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    assert FaceEnrolment.objects.filter(user=consenting).count() == 1
    assert not (private_storage / enrolment.photo_name).exists()
    assert (private_storage / again.photo_name).exists()
    kinds = list(FaceDataEvent.objects.filter(user=consenting).values_list("kind", flat=True))
    assert sorted(kinds) == ["enrolled", "replaced"]


def test_enrolment_needs_consent_and_one_clear_face(business_date, reference_photo):
    person = borrower(business_date=business_date)
    with pytest.raises(Conflict) as caught:
        face_enrol(user=person, photo=reference_photo, context=CLIENT, now=timezone.now())
    assert caught.value.code == "biometric_consent_required"
    biometric_consent_grant(
        user=person, text_version=BIOMETRIC_CONSENT_VERSION, context=CLIENT, now=timezone.now()
    )
    two = (F.FACES_DIR / "multi" / "obama_and_biden_two_people.jpg").read_bytes()
    with pytest.raises(InvalidInput) as refused:
        face_enrol(user=person, photo=two, context=CLIENT, now=timezone.now())
    assert refused.value.code == "multiple_faces"
    with pytest.raises(InvalidInput) as refused:
        face_enrol(user=person, photo=b"not a picture", context=CLIENT, now=timezone.now())
    assert refused.value.code == "photo_unreadable"
    assert not FaceEnrolment.objects.filter(user=person).exists()


def test_live_check_passes_and_the_loan_is_disbursed(
    enrolled, fixed_challenge, live_frames, business_date, private_storage
):
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application)
    assert session.challenge == fixed_challenge
    outcome = send(enrolled, session, live_frames, business_date)
    assert outcome.attempt.passed, outcome.attempt.failure_code
    assert outcome.session.status == VerificationSession.Status.PASSED
    application.refresh_from_db()
    assert application.status == "disbursed"
    assert application.face_check_passed_at is not None
    assert Loan.objects.filter(application=application).exists()
    attempt = outcome.attempt
    assert attempt.best_distance is not None
    assert attempt.best_distance < attempt.match_threshold
    assert attempt.details["steps_seen"] == fixed_challenge
    assert len(attempt.frame_names) == len(live_frames)
    assert private_files.file_read(attempt.frame_names[0]) == live_frames[0]
    assert not (private_storage / attempt.frame_names[0]).read_bytes().startswith(b"\xff\xd8")


def test_still_photo_fails_liveness_counts_and_gets_a_new_nonce(
    enrolled, fixed_challenge, script, business_date
):
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application)
    outcome = send(enrolled, session, still_frames(script), business_date)
    assert not outcome.attempt.passed
    assert outcome.attempt.failure_code == "no_motion"
    assert "静止的画面" in outcome.message  # told in the borrower's language (Chinese by default)
    assert outcome.attempts_left == 2
    assert outcome.session.nonce != session.nonce
    # The old nonce is spent: replaying the request is refused and not counted.
    with pytest.raises(Conflict) as caught:
        send(enrolled, session, still_frames(script, seed=4), business_date)
    assert caught.value.code == "nonce_mismatch"
    assert VerificationAttempt.objects.filter(session=session).count() == 1


def test_third_failure_refuses_the_application(enrolled, fixed_challenge, script, business_date):
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application)
    for seed in range(3):
        outcome = send(enrolled, session, still_frames(script, seed=seed), business_date)
        session = outcome.session
    assert outcome.failed_attempts == 3
    assert session.status == VerificationSession.Status.FAILED
    application.refresh_from_db()
    assert application.status == "refused"
    assert application.refusal_code == "face_check_failed"
    assert "3 times" in application.refusal_reason
    with pytest.raises(Conflict):
        send(enrolled, session, still_frames(script, seed=9), business_date)
    assert not Loan.objects.filter(application=application).exists()


def test_five_failures_in_a_day_lock_face_checks_for_a_day(
    enrolled, fixed_challenge, script, business_date
):
    now = timezone.now()
    first = waiting_application(enrolled, business_date)
    session = start(enrolled, first, now)
    for seed in range(3):
        session = send(
            enrolled, session, still_frames(script, seed=seed), business_date, now
        ).session
    second = waiting_application(enrolled, business_date, amount="9000")
    session = start(enrolled, second, now)
    for seed in range(3, 5):
        session = send(
            enrolled, session, still_frames(script, seed=seed), business_date, now
        ).session
    assert face_check_locked_until(borrower=enrolled, now=now) is not None
    with pytest.raises(FaceCheckLocked):
        start(enrolled, second, now)
    with pytest.raises(FaceCheckLocked):
        send(enrolled, session, still_frames(script, seed=7), business_date, now)
    assert face_check_locked_until(borrower=enrolled, now=now + dt.timedelta(hours=23)) is not None
    assert face_check_locked_until(borrower=enrolled, now=now + dt.timedelta(hours=25)) is None


def test_attempts_without_a_face_guide_without_refusing_but_count_towards_the_lock(
    enrolled, fixed_challenge, script, live_frames, business_date
):
    now = timezone.now()
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application, now)
    for seed in range(3):
        outcome = send(enrolled, session, empty_scene_frames(seed=seed), business_date, now)
        attempt = outcome.attempt
        assert not attempt.passed
        assert attempt.failure_code == "no_face"
        assert attempt.no_face_seen
        assert not outcome.counts_towards_refusal
        assert "没有用掉" in outcome.message  # guidance, in the borrower's language
        assert outcome.failed_attempts == 0
        assert outcome.attempts_left == 3
        assert outcome.session.status == VerificationSession.Status.OPEN
        assert outcome.session.nonce != session.nonce  # a retry, with a fresh challenge
        session = outcome.session
    application.refresh_from_db()
    assert application.status == "face_check_required"
    assert face_check_locked_until(borrower=enrolled, now=now) is None
    # Two real failures make five in 24 hours: the lock counts the empty attempts too,
    # while only the two real failures count towards refusing the application.
    for seed in range(2):
        outcome = send(enrolled, session, still_frames(script, seed=seed), business_date, now)
        assert outcome.counts_towards_refusal
        session = outcome.session
    assert outcome.failed_attempts == 2
    assert outcome.attempts_left == 1
    application.refresh_from_db()
    assert application.status == "face_check_required"
    assert face_check_locked_until(borrower=enrolled, now=now) is not None
    with pytest.raises(FaceCheckLocked):
        send(enrolled, session, live_frames, business_date, now)
    assert VerificationAttempt.objects.filter(session__application=application).count() == 5
    assert not Loan.objects.filter(application=application).exists()


def test_a_borrower_who_stepped_away_can_still_pass(
    enrolled, fixed_challenge, live_frames, business_date
):
    application = waiting_application(enrolled, business_date)
    first = send(enrolled, start(enrolled, application), empty_scene_frames(), business_date)
    assert first.attempt.no_face_seen
    outcome = send(enrolled, first.session, live_frames, business_date)
    assert outcome.attempt.passed, outcome.attempt.failure_code
    assert outcome.attempt.number == 2
    application.refresh_from_db()
    assert application.status == "disbursed"
    # The database refuses a passed attempt marked as one without a face.
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationAttempt.objects.filter(pk=outcome.attempt.pk).update(no_face_seen=True)


def test_expired_or_foreign_nonce_is_refused_without_counting(
    enrolled, fixed_challenge, live_frames, business_date
):
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application)
    with pytest.raises(Conflict) as caught:
        send(enrolled, session, live_frames, business_date, nonce="0" * 32)
    assert caught.value.code == "nonce_mismatch"
    later = timezone.now() + dt.timedelta(minutes=6)
    with pytest.raises(Conflict) as caught:
        send(enrolled, session, live_frames, business_date, now=later)
    assert caught.value.code == "session_expired"
    assert VerificationAttempt.objects.count() == 0


def test_frames_from_an_earlier_session_are_refused(
    enrolled, fixed_challenge, live_frames, script, business_date
):
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application)
    first = send(enrolled, session, still_frames(script), business_date)
    replay = send(enrolled, first.session, still_frames(script), business_date)
    assert replay.attempt.failure_code == "frames_reused"
    assert not replay.attempt.passed


def test_another_person_does_not_pass(enrolled, fixed_challenge, other_script, business_date):
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application)
    frames = [
        F.encode_jpeg(image)
        for image in F.challenge_frames(other_script, np.random.default_rng(11))
    ]
    outcome = send(enrolled, session, frames, business_date)
    assert not outcome.attempt.passed
    assert outcome.attempt.failure_code == "face_mismatch"
    assert outcome.attempt.best_distance > outcome.attempt.match_threshold


def test_withdrawing_consent_erases_face_data(
    enrolled, fixed_challenge, script, business_date, private_storage
):
    application = waiting_application(enrolled, business_date)
    outcome = send(enrolled, start(enrolled, application), still_frames(script), business_date)
    files = [FaceEnrolment.objects.get(user=enrolled).photo_name, *outcome.attempt.frame_names]
    assert all((private_storage / name).exists() for name in files)
    face_consent_withdraw(user=enrolled, now=timezone.now())
    assert not FaceEnrolment.objects.filter(user=enrolled).exists()
    assert not any((private_storage / name).exists() for name in files)
    attempt = VerificationAttempt.objects.get(pk=outcome.attempt.pk)
    assert attempt.frames_deleted_at is not None
    assert attempt.frame_names == []
    assert attempt.failure_code == "no_motion"  # the decision record stays
    assert FaceDataEvent.objects.filter(user=enrolled, kind="erased").exists()
    with pytest.raises(Conflict) as caught:
        start(enrolled, application)
    assert caught.value.code == "biometric_consent_required"


def test_frames_are_deleted_after_the_retention_period(
    enrolled, fixed_challenge, script, business_date, private_storage
):
    application = waiting_application(enrolled, business_date)
    outcome = send(enrolled, start(enrolled, application), still_frames(script), business_date)
    names = outcome.attempt.frame_names
    assert face_frames_purge(now=timezone.now() + dt.timedelta(days=29)) == 0
    assert face_frames_purge(now=timezone.now() + dt.timedelta(days=31)) == 1
    assert not any((private_storage / name).exists() for name in names)
    assert face_frames_purge(now=timezone.now() + dt.timedelta(days=31)) == 0
    assert FaceEnrolment.objects.filter(user=enrolled).exists()  # the reference stays


def test_key_rotation_re_encrypts_everything(enrolled, settings, private_storage):
    enrolment = FaceEnrolment.objects.get(user=enrolled)
    photo = private_files.file_read(enrolment.photo_name)
    old_keys = list(settings.FACE_DATA_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.FACE_DATA_KEYS = [new_key, *old_keys]
    private_files.reset_caches()
    call_command("face_data_rotate_keys")
    settings.FACE_DATA_KEYS = [new_key]
    private_files.reset_caches()
    enrolment.refresh_from_db()
    assert private_files.file_read(enrolment.photo_name) == photo
    assert embeddings.embedding_open(enrolment.embedding_token).shape == (128,)


def test_manual_review_is_the_alternative_path(consenting, business_date, admin_user):
    application = waiting_application(consenting, business_date)
    review = manual_review_request(
        borrower=consenting,
        application_public_id=application.public_id,
        reason="no_camera",
        note="My phone camera is broken",
        now=timezone.now(),
    )
    with pytest.raises(InvalidInput):
        manual_review_decide(
            review_id=review.pk,
            reviewer=admin_user,
            approve=True,
            note=" ",
            business_date=business_date,
            now=timezone.now(),
        )
    manual_review_decide(
        review_id=review.pk,
        reviewer=admin_user,
        approve=True,
        note="Video call, ID card shown and matched",
        business_date=business_date,
        now=timezone.now(),
    )
    application.refresh_from_db()
    assert application.status == "disbursed"
    review.refresh_from_db()
    assert review.status == ManualReview.Status.APPROVED
    assert review.reviewer == admin_user
    events = list(application.events.order_by("occurred_at", "pk").values_list("reason", flat=True))
    assert any("manual review" in reason for reason in events)


def test_rejected_manual_review_refuses(consenting, business_date, admin_user):
    application = waiting_application(consenting, business_date)
    review = manual_review_request(
        borrower=consenting,
        application_public_id=application.public_id,
        reason="no_consent",
        note="",
        now=timezone.now(),
    )
    manual_review_decide(
        review_id=review.pk,
        reviewer=admin_user,
        approve=False,
        note="Did not answer the video call; documents did not match",
        business_date=business_date,
        now=timezone.now(),
    )
    application.refresh_from_db()
    assert application.status == "refused"
    assert application.refusal_code == "manual_review_rejected"


def test_replacing_the_reference_is_guarded(enrolled, other_script, reference_photo, business_date):
    from accounts.models import SecurityEvent

    stranger = F.encode_jpeg(
        F.place_in_frame(F.load_rgb(other_script.references[0].path), scale=1.8)
    )
    with pytest.raises(Conflict) as caught:
        face_enrol(user=enrolled, photo=stranger, context=CLIENT, now=timezone.now())
    assert caught.value.code == "face_replacement_mismatch"
    waiting_application(enrolled, business_date)
    with pytest.raises(Conflict) as caught:
        face_enrol(user=enrolled, photo=reference_photo, context=CLIENT, now=timezone.now())
    assert caught.value.code == "face_check_pending"
    kinds = list(
        SecurityEvent.objects.filter(user=enrolled, kind__startswith="face").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["face_enrolled"]


def test_a_replaced_reference_counts_as_a_recent_security_change(
    enrolled, reference_photo, business_date
):
    from loans.models import RiskRule
    from tests.verification.support import submit_draw

    # The hour the suite runs at is not what this test is about (run between midnight and
    # 6 in Asia/Shanghai, the unusual-hour rule would add its reason too).
    RiskRule.objects.filter(code="unusual_hour").update(enabled=False)
    face_enrol(user=enrolled, photo=reference_photo, context=CLIENT, now=timezone.now())
    application = submit_draw(enrolled, "1000", "after-replacement", business_date)
    codes = [r["code"] for r in application.risk_decision.reasons]
    assert codes == ["first_loan", "recent_security_change"]
    # 50 + 60: the first loan after a face replacement waits for a face check.
    assert application.status == "face_check_required"


def test_no_attempt_is_recorded_once_a_manual_review_approved(
    enrolled, fixed_challenge, live_frames, business_date, admin_user
):
    application = waiting_application(enrolled, business_date)
    session = start(enrolled, application)
    review = manual_review_request(
        borrower=enrolled,
        application_public_id=application.public_id,
        reason="other",
        note="",
        now=timezone.now(),
    )
    manual_review_decide(
        review_id=review.pk,
        reviewer=admin_user,
        approve=True,
        note="Video call",
        business_date=business_date,
        now=timezone.now(),
    )
    with pytest.raises(Conflict) as caught:
        send(enrolled, session, live_frames, business_date)
    assert caught.value.code == "face_check_not_required"
    application.refresh_from_db()
    assert application.status == "disbursed"
    event = application.events.get(to_status="face_check_passed")
    assert event.actor == admin_user
    assert event.source == "staff"
