"""The lockout answer as an AXES_LOCKOUT_CALLABLE, for the logins axes watches that are
not the borrower's (the admin's): a page that says how long to wait, or JSON for the API."""

import datetime as dt
import json

import pytest
from django.test import RequestFactory

from accounts.lockout import lockout_message, lockout_response
from tests.accounts.factories import PASSWORD, StaffFactory


def test_lockout_message_counts_minutes_up(english):
    assert lockout_message(dt.timedelta(minutes=59, seconds=1)) == (
        "Too many failed sign-in attempts. Try again in 60 minutes."
    )
    assert lockout_message(dt.timedelta(seconds=20)) == (
        "Too many failed sign-in attempts. Try again in 1 minute."
    )


def test_api_paths_get_json(db, english):
    request = RequestFactory().post("/api/v1/anything/")
    response = lockout_response(request, None, {"username": "13800138000"})
    assert response.status_code == 429
    assert json.loads(response.content) == {
        "detail": "Too many failed sign-in attempts. Try again in 60 minutes.",
        "code": "locked_out",
    }
    assert response["Retry-After"] == "3600"


@pytest.mark.usefixtures("db")
def test_admin_login_lockout_with_the_callable_configured(client, settings):
    settings.AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
    staff = StaffFactory.create(is_superuser=True)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    body = {"username": staff.username, "password": "wrong", "next": "/admin/"}
    for _ in range(4):
        assert client.post("/admin/login/?next=/admin/", body).status_code == 200
    response = client.post("/admin/login/?next=/admin/", body)
    assert response.status_code == 429
    assert "Try again in 60 minutes" in response.content.decode()
    right = {**body, "password": PASSWORD}
    assert client.post("/admin/login/?next=/admin/", right).status_code == 429
