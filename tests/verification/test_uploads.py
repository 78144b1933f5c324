"""Face pictures sent over the API: judged by size and header before anything decodes or
stores them, and throttled per borrower and per address."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from config.settings import base as base_settings
from tests.loans.factories import borrower
from tests.verification.support import waiting_application
from tests.verification.test_apis import client_for
from verification.models import FaceEnrolment, VerificationAttempt
from verification.services import face_check_session_start

ENROL = "/api/v1/me/face-enrolment/"


def upload(data, name="picture.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png(size, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (128, 100, 90)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb():
    data = png((7000, 7000), mode="1")
    assert len(data) < 100_000
    return data


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if the face engine is asked to decode anything."""
    import verification.face as face

    def refuse(*args, **kwargs):
        raise AssertionError("the picture reached the decoder")

    monkeypatch.setattr(face, "decode_image", refuse)


def test_a_pixel_bomb_is_refused_at_enrolment_before_decoding(
    consenting, bomb, no_decoding, private_storage
):
    response = client_for(consenting).post(ENROL, {"photo": upload(bomb, "bomb.png")})
    assert response.status_code == 400
    assert response.json()["code"] == "photo_image_too_many_pixels"
    assert not FaceEnrolment.objects.exists()
    assert stored_files(private_storage) == []


@pytest.fixture
def session(consenting, reference_photo, fixed_challenge, business_date):
    client = client_for(consenting)
    assert client.post(ENROL, {"photo": upload(reference_photo)}).status_code == 201
    application = waiting_application(consenting, business_date)
    return face_check_session_start(
        borrower=consenting, application_public_id=application.public_id, now=timezone.now()
    )


BAD_FRAMES = [
    (b"just some text", "frames_unsupported_format"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>', "frames_unsupported_format"),
    (b"<html><body><img src=x onerror=alert(1)></body></html>", "frames_unsupported_format"),
    (b"GIF89a" + b"\x00" * 64, "frames_unsupported_format"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "frames_corrupt_image"),
    ("bomb", "frames_image_too_many_pixels"),
    ("large", "frames_image_too_many_pixels"),
    ("truncated", "frames_corrupt_image"),
    ("heavy", "frames_too_large"),
]


@pytest.mark.parametrize(("frame", "code"), BAD_FRAMES)
def test_attempt_frames_must_be_real_camera_pictures(
    session, consenting, live_frames, bomb, private_storage, frame, code, no_decoding
):
    frame = {
        "bomb": bomb,
        "large": jpeg((3000, 2000)),
        "truncated": live_frames[0][: len(live_frames[0]) // 2],
        "heavy": b"\xff\xd8\xff" + b"\x00" * 1_600_000,
    }.get(frame, frame)
    files_before = stored_files(private_storage)
    frames = [upload(f, f"f{i}.jpg") for i, f in enumerate([*live_frames[:3], frame])]
    response = client_for(consenting).post(
        f"/api/v1/face-checks/{session.public_id}/attempts/",
        {"nonce": session.nonce, "frames": frames},
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert not VerificationAttempt.objects.exists()
    assert stored_files(private_storage) == files_before
    session.refresh_from_db()
    assert session.status == "open"


def test_more_frames_than_allowed_are_refused_as_json(session, consenting, live_frames):
    frames = [upload(live_frames[0], f"f{i}.jpg") for i in range(11)]
    response = client_for(consenting).post(
        f"/api/v1/face-checks/{session.public_id}/attempts/",
        {"nonce": session.nonce, "frames": frames},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "frames_max_length"
    assert not VerificationAttempt.objects.exists()


def test_a_declared_50_mb_upload_is_refused_before_it_is_read(consenting):
    client = client_for(consenting)
    response = client.generic(
        "POST",
        ENROL,
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    # Under the platform's limit but over the enrolment's own.
    response = client.generic(
        "POST",
        ENROL,
        data=b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(9 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def _rates(**changes):
    rates: dict[str, object] = dict(base_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])  # type: ignore[call-overload]
    rates.update(changes)
    return rates


def test_enrolment_is_throttled_per_borrower(consenting, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": _rates()}
    limit = int(str(_rates()["face_enrolment"]).split("/")[0])
    client = client_for(consenting)
    answers = [
        client.post(ENROL, {"photo": upload(b"not a photo")}).status_code for _ in range(limit + 1)
    ]
    assert answers == [400] * limit + [429]
    throttled = client.post(ENROL, {"photo": upload(b"not a photo")})
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    # Reading the enrolment is not an upload.
    assert client.get(ENROL).status_code == 404


def test_uploads_are_throttled_per_address_across_borrowers(consenting, settings, business_date):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": _rates(face_enrolment_ip="5/hour"),
    }
    others = [borrower(business_date=business_date) for _ in range(2)]
    answers = [
        client_for(user)
        .post(ENROL, {"photo": upload(b"x")}, REMOTE_ADDR="198.51.100.20")
        .status_code
        for user in [consenting, *others, consenting, others[0], others[1]]
    ]
    # Every borrower is far below their own limit; the address reaches its limit.
    assert answers == [400] * 5 + [429]
    elsewhere = client_for(others[1]).post(
        ENROL, {"photo": upload(b"x")}, REMOTE_ADDR="198.51.100.21"
    )
    assert elsewhere.status_code == 400


def test_attempts_are_throttled_per_borrower(session, consenting, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": _rates(face_attempt="2/hour"),
    }
    client = client_for(consenting)
    url = f"/api/v1/face-checks/{session.public_id}/attempts/"
    answers = [
        client.post(url, {"nonce": session.nonce, "frames": [upload(b"x")]}).status_code
        for _ in range(3)
    ]
    assert answers == [400, 400, 429]
