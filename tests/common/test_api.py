"""The API's plumbing: what the JSON parser refuses, and Django's own refusals (unknown
URLs, oversized bodies, too many files) answered in the `{"detail", "code"}` format."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from common.api import json_nesting_depth
from tests.loans.factories import UserFactory


def _json_error(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == {"detail", "code"}
    if code is not None:
        assert data["code"] == code
    return data


def test_nesting_depth_is_counted_outside_strings():
    assert json_nesting_depth('{"a": [1, {"b": []}]}') == 4
    assert json_nesting_depth('{"a": "[[[[[[[[{{{{"}') == 1
    assert json_nesting_depth('{"a": "\\"[[[["}') == 1
    assert json_nesting_depth("[" * 5000 + "]" * 5000) == 5000


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"identifier": ' + "[" * 50 + "]" * 50 + ', "password": "x"}',
        '{"identifier": ' + '{"a":' * 40 + "1" + "}" * 40 + "}",
    ],
)
def test_deeply_nested_json_is_refused_on_anonymous_sign_up_and_login(db, body):
    client = APIClient()
    for url in ("/api/v1/auth/signup/", "/api/v1/auth/login/"):
        response = client.post(url, data=body, content_type="application/json")
        _json_error(response, 400, "parse_error")
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        '{"identifier": "13800138000", "password": "\\ud800 long enough passphrase"}',
        '{"identifier": "\\udfff@example.com", "password": "a long enough passphrase"}',
        '{"\\ud800": 1}',
        '{"identifier": "13800138000", "password": NaN}',
        '{"identifier": "13800138000", "password": Infinity}',
        '{"identifier": "13800138000", "password": "a long passphrase"',
        b'{"identifier": "\xed\xa0\x80"}',
    ],
)
def test_lone_surrogates_non_numbers_and_bad_utf8_are_refused(db, body):
    response = APIClient().post("/api/v1/auth/signup/", data=body, content_type="application/json")
    _json_error(response, 400, "parse_error")
    assert User.objects.count() == 0


def test_a_surrogate_pair_is_a_character_and_accepted(db):
    body = (
        '{"identifier": "smile@example.com", "accept_agreements": true,'
        ' "password": "\\ud83d\\ude00 a long enough passphrase"}'
    )
    response = APIClient().post("/api/v1/auth/signup/", data=body, content_type="application/json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/applications/not-a-uuid/",
        "/api/v1/applications/123/cancel/",
        "/api/v1/loans/%00/",
        "/api/v1/face-checks/x/attempts/",
        "/api/v1/no-such-thing/",
    ],
)
def test_an_unknown_api_url_is_a_json_404(db, path):
    client = APIClient()
    client.force_authenticate(UserFactory.create())
    _json_error(client.get(path), 404, "not_found")
    _json_error(client.post(path, data={}, format="json"), 404, "not_found")


def test_an_unknown_page_url_keeps_the_html_404(db):
    response = APIClient().get("/applications/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_declared_oversized_body_is_refused_unread(db, settings):
    settings.UPLOADS = {**settings.UPLOADS, "MAX_REQUEST_BYTES": 1000}
    client = APIClient()
    # The declared length is all that is looked at: the body is never read.
    response = client.generic(
        "POST",
        "/api/v1/auth/login/",
        data="{}",
        content_type="application/json",
        CONTENT_LENGTH="50000000",
    )
    _json_error(response, 413, "request_too_large")
    assert response["Connection"] == "close"
    page = client.generic("POST", "/accounts/login/", data="", CONTENT_LENGTH="50000000")
    assert page.status_code == 413


def test_a_malformed_content_length_is_a_400(db):
    response = APIClient().generic(
        "POST",
        "/api/v1/auth/login/",
        data="{}",
        content_type="application/json",
        CONTENT_LENGTH="12abc",
    )
    _json_error(response, 400, "bad_content_length")


def test_a_json_body_over_the_memory_limit_is_a_json_413(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"identifier": "13800138000", "password": "x" * 5000})
    response = APIClient().post("/api/v1/auth/login/", data=body, content_type="application/json")
    _json_error(response, 413, "request_too_large")


def test_more_files_than_allowed_is_a_json_400(db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client = APIClient()
    client.force_authenticate(UserFactory.create())
    files = [SimpleUploadedFile(f"f{i}.jpg", b"x", "image/jpeg") for i in range(5)]
    response = client.post(
        "/api/v1/face-checks/00000000-0000-0000-0000-000000000000/attempts/",
        {"nonce": "n", "frames": files},
        format="multipart",
    )
    _json_error(response, 400, "too_many_files")
