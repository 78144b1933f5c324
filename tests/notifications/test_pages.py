"""The notices page, the unread count in the top bar, and the notices API."""

import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from notifications.models import Notification
from notifications.services import notification_send
from tests.accounts.factories import UserFactory

Kind = Notification.Kind


@pytest.fixture
def person(db):
    return UserFactory.create()


def logged_in(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def notify(user, kind=Kind.APPLICATION_REFUSED, link="/home/"):
    return notification_send(
        user=user, kind=kind, context={"amount": "2500.00"}, now=timezone.now(), link=link
    )


def test_the_unread_count_is_in_the_top_bar_and_the_list_reads_them(person):
    notify(person)
    notify(person, Kind.FACE_CHECK_NEEDED)
    client = logged_in(person)
    home = client.get("/calculator/").content.decode()
    assert '<span class="unread" id="unread-count">2</span>' in home
    page = client.get("/notifications/").content.decode()
    assert 'id="unread-count"' not in page  # read as they are shown
    assert "Application not approved" in page
    assert "Your application for ¥2,500.00 was not approved." in page
    assert page.count('class="unread-dot"') == 2
    assert 'id="unread-count"' not in client.get("/calculator/").content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_list_is_in_the_readers_language(person):
    notify(person)
    page = logged_in(person, "zh-hans").get("/notifications/").content.decode()
    assert "未获批准" in page


def test_a_borrower_sees_only_their_own_notices(person):
    notify(UserFactory.create())
    page = logged_in(person).get("/notifications/").content.decode()
    assert "Application not approved" not in page
    assert "No notices yet" in page


def test_the_notices_api(person):
    first = notify(person)
    notify(person, Kind.LOAN_DISBURSED)
    client = Client(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person).key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    data = client.get("/api/v1/notifications/").json()
    assert data["unread"] == 2
    assert [n["kind"] for n in data["results"]] == ["loan_disbursed", "application_refused"]
    assert (
        data["results"][1]["text"]
        == "Your application for ¥2,500.00 was not approved. Open it to see why."
    )
    response = client.post(
        "/api/v1/notifications/read/",
        data=json.dumps({"ids": [str(first.public_id)]}),
        content_type="application/json",
    )
    assert response.json() == {"marked": 1, "unread": 1}
    bad = client.post(
        "/api/v1/notifications/read/",
        data=json.dumps({"ids": ["x"]}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert client.post(
        "/api/v1/notifications/read/", data="{}", content_type="application/json"
    ).json() == {"marked": 1, "unread": 0}


def test_anonymous_and_staff_have_no_notices_page(client, admin_user):
    assert client.get("/notifications/").status_code == 302
    client.force_login(admin_user)
    assert client.get("/notifications/").status_code == 403
