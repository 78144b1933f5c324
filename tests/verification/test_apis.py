"""The face-check API for mobile clients, and the staff views of face data."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.factories import StaffFactory
from tests.loans.factories import CLIENT, borrower
from tests.verification import frames as F
from tests.verification.support import empty_scene_frames, still_frames, waiting_application
from verification.models import FaceDataAccess, FaceEnrolment, ManualReview, VerificationAttempt
from verification.services import face_check_attempt_submit, face_check_session_start, face_enrol


def client_for(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def jpeg_upload(data, name="frame.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_enrol_read_and_erase_through_the_api(consenting, reference_photo):
    client = client_for(consenting)
    assert client.get("/api/v1/me/face-enrolment/").status_code == 404
    response = client.post(
        "/api/v1/me/face-enrolment/", {"photo": jpeg_upload(reference_photo)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["quality"]["face_width_fraction"] > 0
    assert "embedding" not in str(response.json())
    assert client.get("/api/v1/me/face-enrolment/").status_code == 200
    assert client.delete("/api/v1/me/face-data/").status_code == 204
    assert not FaceEnrolment.objects.filter(user=consenting).exists()


def test_enrolment_errors_say_what_to_fix(consenting):
    dark = F.encode_jpeg(
        F.darken(F.place_in_frame(F.load_rgb(F.lfw_person_photos("Tony_Blair")[0]), scale=1.8))
    )
    response = client_for(consenting).post(
        "/api/v1/me/face-enrolment/", {"photo": jpeg_upload(dark)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_dark"
    assert "brighter" in response.json()["detail"]


def test_a_whole_face_check_over_the_api(
    consenting, reference_photo, fixed_challenge, live_frames, business_date
):
    client = client_for(consenting)
    client.post(
        "/api/v1/me/face-enrolment/", {"photo": jpeg_upload(reference_photo)}, format="multipart"
    )
    application = waiting_application(consenting, business_date)
    started = client.post(f"/api/v1/applications/{application.public_id}/face-check/")
    assert started.status_code == 201, started.json()
    session = started.json()
    assert [s["step"] for s in session["challenge"]] == fixed_challenge
    assert "left" in session["challenge"][0]["instruction"]
    assert session["attempts_left"] == 3
    assert client.get(f"/api/v1/face-checks/{session['id']}/").json()["status"] == "open"
    frames = [jpeg_upload(frame, f"f{i}.jpg") for i, frame in enumerate(live_frames)]
    answer = client.post(
        f"/api/v1/face-checks/{session['id']}/attempts/",
        {"nonce": session["nonce"], "frames": frames},
        format="multipart",
    )
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["passed"] is True
    assert data["application_status"] == "disbursed"
    assert data["next"] is None
    detail = client.get(f"/api/v1/face-checks/{session['id']}/").json()
    assert detail["status"] == "passed"
    assert detail["nonce"] == ""


def test_failed_attempt_returns_the_retry_challenge(
    consenting, reference_photo, fixed_challenge, script, business_date
):
    face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    application = waiting_application(consenting, business_date)
    client = client_for(consenting)
    session = client.post(f"/api/v1/applications/{application.public_id}/face-check/").json()
    frames = [jpeg_upload(frame) for frame in still_frames(script)]
    data = client.post(
        f"/api/v1/face-checks/{session['id']}/attempts/",
        {"nonce": session["nonce"], "frames": frames},
        format="multipart",
    ).json()
    assert data["passed"] is False
    assert data["code"] == "no_motion"
    assert "still picture" in data["message"]
    assert data["attempts_left"] == 2
    assert data["next"]["nonce"] != session["nonce"]


def test_an_attempt_without_a_face_is_guidance_and_keeps_the_attempts(
    consenting, reference_photo, fixed_challenge, script, business_date
):
    face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    application = waiting_application(consenting, business_date)
    client = client_for(consenting)
    session = client.post(f"/api/v1/applications/{application.public_id}/face-check/").json()
    for seed in range(3):
        frames = [jpeg_upload(frame) for frame in empty_scene_frames(seed=seed)]
        answer = client.post(
            f"/api/v1/face-checks/{session['id']}/attempts/",
            {"nonce": session["nonce"], "frames": frames},
            format="multipart",
        )
        assert answer.status_code == 200, answer.json()
        data = answer.json()
        assert data["passed"] is False
        assert data["code"] == "no_face"
        assert data["counts_towards_refusal"] is False
        assert "did not use up one of your attempts" in data["message"]
        assert data["attempts_left"] == 3
        assert data["application_status"] == "face_check_required"
        assert data["next"]["nonce"] != session["nonce"]
        session = data["next"]
    frames = [jpeg_upload(frame) for frame in still_frames(script)]
    data = client.post(
        f"/api/v1/face-checks/{session['id']}/attempts/",
        {"nonce": session["nonce"], "frames": frames},
        format="multipart",
    ).json()
    assert data["code"] == "no_motion"
    assert data["counts_towards_refusal"] is True
    assert data["attempts_left"] == 2
    assert VerificationAttempt.objects.filter(no_face_seen=True).count() == 3


def test_other_borrowers_and_strangers_are_kept_out(consenting, business_date, reference_photo):
    face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    application = waiting_application(consenting, business_date)
    session = face_check_session_start(
        borrower=consenting, application_public_id=application.public_id, now=timezone.now()
    )
    stranger = client_for(borrower(business_date=business_date))
    assert (
        stranger.post(f"/api/v1/applications/{application.public_id}/face-check/").status_code
        == 404
    )
    assert stranger.get(f"/api/v1/face-checks/{session.public_id}/").status_code == 404
    attempt = stranger.post(
        f"/api/v1/face-checks/{session.public_id}/attempts/",
        {"nonce": session.nonce, "frames": [jpeg_upload(reference_photo)]},
        format="multipart",
    )
    assert attempt.status_code == 404
    assert (
        stranger.post(
            f"/api/v1/applications/{application.public_id}/manual-review/", {"reason": "no_camera"}
        ).status_code
        == 404
    )
    anonymous = APIClient()
    for url in (
        f"/api/v1/applications/{application.public_id}/face-check/",
        f"/api/v1/face-checks/{session.public_id}/attempts/",
        "/api/v1/me/face-enrolment/",
        "/api/v1/face-checks/hints/",
    ):
        assert anonymous.post(url).status_code == 401
    assert client_for(StaffFactory.create()).post("/api/v1/me/face-enrolment/").status_code == 403
    assert VerificationAttempt.objects.count() == 0


def test_capture_hints_describe_the_preview(consenting):
    client = client_for(consenting)
    photo = F.place_in_frame(F.load_rgb(F.lfw_person_photos("Tony_Blair")[0]), scale=1.8)
    small = F.encode_jpeg(photo[::2, ::2])
    good = client.post(
        "/api/v1/face-checks/hints/", {"frame": jpeg_upload(small)}, format="multipart"
    ).json()
    assert [hint["code"] for hint in good] == []
    dark = F.encode_jpeg(F.darken(photo)[::2, ::2])
    hints = client.post(
        "/api/v1/face-checks/hints/", {"frame": jpeg_upload(dark)}, format="multipart"
    ).json()
    assert hints[0]["code"] == "too_dark"
    empty = F.encode_jpeg(F.place_in_frame(photo[:10, :10], scale=1)[::2, ::2])
    hints = client.post(
        "/api/v1/face-checks/hints/", {"frame": jpeg_upload(empty)}, format="multipart"
    ).json()
    assert hints[0]["code"] == "no_face"


def test_manual_review_over_the_api(consenting, business_date):
    application = waiting_application(consenting, business_date)
    client = client_for(consenting)
    response = client.post(
        f"/api/v1/applications/{application.public_id}/manual-review/",
        {"reason": "no_camera", "note": "no camera on this laptop"},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert (
        ManualReview.objects.get(application=application).borrower_note
        == "no camera on this laptop"
    )


def test_staff_need_the_face_data_permission_and_every_view_is_logged(
    consenting, reference_photo, fixed_challenge, script, business_date, client
):
    face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    application = waiting_application(consenting, business_date)
    session = face_check_session_start(
        borrower=consenting, application_public_id=application.public_id, now=timezone.now()
    )
    attempt = face_check_attempt_submit(
        borrower=consenting,
        session_public_id=session.public_id,
        nonce=session.nonce,
        frames=still_frames(script),
        business_date=business_date,
        now=timezone.now(),
    ).attempt
    staff = StaffFactory.create()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_verificationattempt", "view_faceenrolment"])
    )
    client.force_login(staff)
    url = f"/admin/verification/verificationattempt/{attempt.pk}/frames/0/"
    assert client.get(url).status_code == 403
    assert (
        client.get(f"/admin/verification/verificationattempt/{attempt.pk}/change/").status_code
        == 200
    )
    assert FaceDataAccess.objects.count() == 0
    staff.user_permissions.add(Permission.objects.get(codename="view_face_data"))
    staff = type(staff).objects.get(pk=staff.pk)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).startswith(b"\xff\xd8")
    access = FaceDataAccess.objects.get()
    assert access.staff == staff
    assert access.borrower == consenting
    assert access.attempt_id == attempt.pk
    enrolment = FaceEnrolment.objects.get(user=consenting)
    assert client.get(f"/admin/verification/faceenrolment/{enrolment.pk}/photo/").status_code == 200
    assert FaceDataAccess.objects.count() == 2


def test_staff_decide_a_manual_review_in_the_admin(consenting, business_date, admin_client):
    application = waiting_application(consenting, business_date)
    from verification.services import manual_review_request

    review = manual_review_request(
        borrower=consenting,
        application_public_id=application.public_id,
        reason="no_camera",
        note="",
        now=timezone.now(),
    )
    url = f"/admin/verification/manualreview/{review.pk}/decide/"
    assert (
        admin_client.get(f"/admin/verification/manualreview/{review.pk}/change/")["Location"] == url
    )
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(url, {"decision": "approve", "note": "Video call with ID card"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "disbursed"


def test_private_files_have_no_url(private_storage):
    from common.private_files import private_storage as storage

    with pytest.raises(ValueError, match="no URL"):
        storage().url("anything.bin")
