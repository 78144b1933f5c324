"""The face-check page in Debian's chromium with a fake camera playing a video built from
real photos: a live borrower passes; an empty scene is never uploaded (the page keeps
guiding until a face is well placed, then captures); a still photo fails liveness, counts,
and the third failure refuses the application."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from loans.models import Loan
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.loans.factories import CLIENT
from tests.verification import frames as F
from tests.verification.support import CHALLENGE, waiting_application
from verification.models import VerificationAttempt
from verification.services import face_enrol
from verification.views import TIMELINE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FPS = 30  # Chrome's fake capture plays an .mjpeg file at 30 frames a second


# In the empty-scene test the borrower steps in front of the camera at about 13.6 hint
# rounds: the 14th hint (every hint_every_ms from the start of the guidance) is the first
# to see the face, with almost half a round of slack either way for the camera's start-up.
HINT_MS = int(TIMELINE["hint_every_ms"])
FIRST_HINT_WITH_FACE = 14
FACE_APPEARS_MS = round((FIRST_HINT_WITH_FACE - 0.4) * HINT_MS)


def _plan_ms(capture_start_ms: int) -> dict[str, tuple[int, int]]:
    """When each pose must be on camera, from the page's timeline (start of the guidance =
    0; the capture starts at ``capture_start_ms``), with room for the page's start-up on
    either side of every capture."""
    first_step = TIMELINE["neutral_captures_ms"][-1] + 300
    step = int(TIMELINE["step_ms"])
    plan = {"neutral": (0, capture_start_ms + first_step + 500)}
    for index, name in enumerate(CHALLENGE):
        begin = capture_start_ms + first_step + index * step
        plan[name] = (begin + 500, begin + step - 300)
    return plan


def live_video(path: Path, script: F.ChallengeScript, *, empty_until_ms: int = 0) -> Path:
    """A borrower doing the challenge: the head drifts a little all the time (as a hand-held
    phone does), turns left and right when asked, and looks back in between. With
    ``empty_until_ms``, nobody is in front of the camera until then; the page starts its
    get-ready time at the first hint that sees the face."""
    rng = np.random.default_rng(5)
    start = F.load_rgb(script.start.path)
    poses = {step: F.load_rgb(photo.path) for step, photo in script.steps if photo is not None}
    placed_at = math.ceil(empty_until_ms / HINT_MS) * HINT_MS if empty_until_ms else 0
    plan = _plan_ms(placed_at + int(TIMELINE["get_ready_ms"]))
    total_ms = max(end for _, end in plan.values()) + 2000
    scene = F.empty_scene()
    empty = [F.add_noise(scene, 1.5, rng) for _ in range(FPS)]
    images = []
    for n in range(total_ms * FPS // 1000):
        t = n * 1000 // FPS
        if t < empty_until_ms:
            images.append(empty[n % FPS])
            continue
        photo = start
        for step, (begin, end) in plan.items():
            if step != "neutral" and begin <= t < end:
                photo = poses[step]
        drift = (0.5 + 0.02 * math.sin(t / 700), 0.46 + 0.015 * math.cos(t / 900))
        scale = 1.8 * (1 + 0.02 * math.sin(t / 1100))
        images.append(F.add_noise(F.place_in_frame(photo, scale=scale, centre=drift), 1.5, rng))
    return F.write_mjpeg(images, path)


def still_video(path: Path, script: F.ChallengeScript) -> Path:
    """A printed photo held up to the camera: nothing moves but sensor noise (15 s of it,
    so no two attempts capture byte-identical frames)."""
    rng = np.random.default_rng(6)
    photo = F.place_in_frame(F.load_rgb(script.start.path), scale=1.8)
    return F.write_mjpeg([F.add_noise(photo, 1.5, rng) for _ in range(15 * FPS)], path)


@pytest.fixture
def camera_phone(playwright_instance, tmp_path):
    browsers = []

    def launch(video: Path):
        browser = playwright_instance.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        browsers.append(browser)
        context = browser.new_context(**PHONE, locale="en-US")
        context.grant_permissions(["camera"])
        context.set_default_timeout(30_000)
        return context.new_page()

    yield launch
    for browser in browsers:
        browser.close()


@pytest.fixture
def ready_borrower(consenting, reference_photo, fixed_challenge, business_date):
    face_enrol(user=consenting, photo=reference_photo, context=CLIENT, now=timezone.now())
    return consenting


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=identifier]", user.phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/home/$"))


def test_live_borrower_passes_the_face_check(
    live_server, camera_phone, ready_borrower, script, business_date, tmp_path
):
    application = waiting_application(ready_borrower, business_date)
    page = camera_phone(live_video(tmp_path / "live.mjpeg", script))
    log_in(page, live_server, ready_borrower)
    page.goto(f"{live_server.url}/applications/{application.public_id}/")
    page.click("#start-face-check")
    page.wait_for_url(re.compile(r".*/face-check/$"))
    page.click("#start")
    page.locator("#instruction", has_text="turn your head to your left").wait_for()
    result = page.locator("#result.ok")
    result.wait_for(timeout=60_000)
    assert "passed" in result.inner_text()
    attempt = VerificationAttempt.objects.get()
    assert attempt.passed, (attempt.failure_code, attempt.details.get("steps_seen"))
    assert attempt.frame_count == 8
    application.refresh_from_db()
    assert application.status == "disbursed"
    assert Loan.objects.filter(application=application).exists()
    page.click("#continue")
    page.wait_for_url(re.compile(r".*/applications/[0-9a-f-]+/$"))
    assert "on its way" in page.locator("main").inner_text()


def test_an_empty_scene_is_never_uploaded_then_a_face_passes(
    live_server, camera_phone, ready_borrower, script, business_date, tmp_path
):
    application = waiting_application(ready_borrower, business_date)
    page = camera_phone(live_video(tmp_path / "late.mjpeg", script, empty_until_ms=FACE_APPEARS_MS))
    uploads: list[str] = []
    page.on(
        "request",
        lambda request: uploads.append(request.url) if "/attempts/" in request.url else None,
    )
    log_in(page, live_server, ready_borrower)
    page.goto(f"{live_server.url}/applications/{application.public_id}/face-check/")
    page.click("#start")
    page.locator("#hint", has_text="couldn't see a face").wait_for()
    assert "We start as soon as one face" in page.locator("#instruction").inner_text()
    # Long enough for the whole burst to have been captured and sent, had the page not
    # waited (2 s to get ready, 6.9 s of capture), and still before the face appears.
    page.wait_for_timeout(FACE_APPEARS_MS - 2 * HINT_MS - 1500)
    assert "couldn't see a face" in page.locator("#hint").inner_text()
    assert page.locator("#start").is_disabled()
    assert uploads == []
    assert not VerificationAttempt.objects.exists()

    result = page.locator("#result.ok")
    result.wait_for(timeout=60_000)
    assert "passed" in result.inner_text()
    assert len(uploads) == 1
    attempt = VerificationAttempt.objects.get()
    assert attempt.passed, (attempt.failure_code, attempt.details.get("steps_seen"))
    assert attempt.frame_count == 8
    application.refresh_from_db()
    assert application.status == "disbursed"


def test_still_photo_fails_and_the_third_failure_refuses(
    live_server, camera_phone, ready_borrower, script, business_date, tmp_path
):
    application = waiting_application(ready_borrower, business_date)
    page = camera_phone(still_video(tmp_path / "still.mjpeg", script))
    log_in(page, live_server, ready_borrower)
    page.goto(f"{live_server.url}/applications/{application.public_id}/face-check/")
    for attempt in (1, 2):
        page.click("#start")
        page.locator("#result.error").wait_for(timeout=60_000)
        assert "We only saw a still picture" in page.locator("#result").inner_text()
        assert page.locator("#attempts-left").inner_text().endswith(str(3 - attempt))
        page.locator("#start:not([disabled])").wait_for()
    page.click("#start")
    page.locator("#result", has_text="refused").wait_for(timeout=60_000)
    assert VerificationAttempt.objects.filter(passed=False).count() == 3
    application.refresh_from_db()
    assert application.status == "refused"
    assert application.refusal_code == "face_check_failed"
    assert not Loan.objects.filter(application=application).exists()
