"""Face-check fixtures, shared by the verification and browser tests (registered in
tests/conftest.py): private storage in a temporary folder, a borrower who consented to
face processing, and frames acted out by one lfw-dev person."""

import numpy as np
import pytest
from django.utils import timezone

from accounts.consent import BIOMETRIC_CONSENT_VERSION
from accounts.services import biometric_consent_grant
from common import private_files
from tests.loans.factories import CLIENT, MicroProductFactory, borrower
from tests.verification import frames as F
from tests.verification.support import CHALLENGE, OTHER_PERSON, PERSON


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    private_files.reset_caches()
    yield settings.PRIVATE_STORAGE_ROOT
    private_files.reset_caches()


@pytest.fixture
def fixed_challenge(settings):
    settings.FACE_CHECK = {**settings.FACE_CHECK, "FIXED_CHALLENGE": CHALLENGE}
    return CHALLENGE


@pytest.fixture(scope="session")
def script():
    return F.script_challenge(PERSON, CHALLENGE)


@pytest.fixture(scope="session")
def live_frames(script):
    """JPEG frames of PERSON turning left, then right."""
    return [F.encode_jpeg(image) for image in F.challenge_frames(script, np.random.default_rng(7))]


@pytest.fixture(scope="session")
def reference_photo(script):
    return F.encode_jpeg(F.place_in_frame(F.load_rgb(script.references[0].path), scale=1.8))


@pytest.fixture(scope="session")
def other_script():
    return F.script_challenge(OTHER_PERSON, CHALLENGE)


@pytest.fixture
def consenting(business_date, private_storage):
    MicroProductFactory.create()
    person = borrower(business_date=business_date)
    biometric_consent_grant(
        user=person, text_version=BIOMETRIC_CONSENT_VERSION, context=CLIENT, now=timezone.now()
    )
    return person
