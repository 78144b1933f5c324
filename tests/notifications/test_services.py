"""Notices (notifications/services.py): written in the caller's transaction, delivered by
e-mail and text message after it commits, in the borrower's language."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from common.sms import LocmemSmsSender
from notifications.models import Notification, NotificationDelivery
from notifications.selectors import deliveries_pending, notifications_unread_count
from notifications.services import (
    MAX_DELIVERY_ATTEMPTS,
    NoticeRequest,
    notification_deliver,
    notification_send,
    notification_send_many,
    notifications_mark_read,
)
from tests.accounts.factories import StaffFactory, UserFactory

Kind = Notification.Kind


@pytest.fixture
def person(db):
    return UserFactory.create(email="wang@example.com", language="en")


def send(user, kind=Kind.LOAN_DISBURSED, **kwargs):
    kwargs.setdefault("context", {"amount": "3000.00", "card": "6222 **** **** 3446"})
    kwargs.setdefault("now", timezone.now())
    return notification_send(user=user, kind=kind, **kwargs)


def test_a_notice_and_its_deliveries_are_written_and_queued_on_commit(
    person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notice = send(person, link="/loans/x/")
        # Nothing leaves before the commit.
        assert callbacks == []
    assert len(callbacks) == 1
    assert notice is not None
    channels = sorted(notice.deliveries.values_list("channel", "address"))
    assert channels == [("email", "wang@example.com"), ("sms", person.phone)]
    assert NotificationDelivery.objects.filter(status="pending").count() == 2


def test_a_rolled_back_event_sends_nothing(person, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(person)
        raise RuntimeError("the event failed")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_deliveries_go_out_in_the_borrowers_language(person, mailoutbox, settings):
    settings.MICROLEND = {**settings.MICROLEND, "SITE_URL": "https://lend.example/"}
    notice = send(person, link="/applications/abc/")
    for delivery in notice.deliveries.order_by("pk"):
        sent = notification_deliver(delivery_id=delivery.pk, now=timezone.now())
        assert sent.status == "sent"
        assert sent.sent_at is not None
    (mail,) = mailoutbox
    assert mail.to == ["wang@example.com"]
    assert mail.subject.endswith("Loan paid out")
    assert "¥3,000.00" in mail.body
    assert "6222 **** **** 3446" in mail.body
    assert "https://lend.example/applications/abc/" in mail.body
    (sms,) = LocmemSmsSender.outbox
    assert sms.phone == person.phone
    assert "is being paid to your bank card" in sms.text


def test_delivering_twice_sends_once(person, mailoutbox):
    notice = send(person)
    delivery = notice.deliveries.get(channel="email")
    notification_deliver(delivery_id=delivery.pk, now=timezone.now())
    notification_deliver(delivery_id=delivery.pk, now=timezone.now())
    assert len(mailoutbox) == 1


def test_a_provider_that_is_down_is_tried_again_then_given_up(person, settings):
    settings.MICROLEND = {
        **settings.MICROLEND,
        "SMS_SENDER": "tests.notifications.senders.DownSmsSender",
    }
    delivery = send(person).deliveries.get(channel="sms")
    for attempt in range(1, MAX_DELIVERY_ATTEMPTS + 1):
        delivery = notification_deliver(delivery_id=delivery.pk, now=timezone.now())
        assert delivery.attempts == attempt
        assert delivery.last_error == "provider unreachable"
    assert delivery.status == "failed"
    assert delivery.sent_at is None


def test_pending_deliveries_are_swept(person):
    send(person, now=timezone.now() - dt.timedelta(minutes=10))
    recent = send(person, kind=Kind.APPLICATION_REFUSED)
    swept = deliveries_pending(created_before=timezone.now() - dt.timedelta(minutes=5))
    assert len(swept) == 2
    assert not set(swept) & set(recent.deliveries.values_list("pk", flat=True))


def test_a_deduplication_key_is_used_once(person):
    assert send(person, dedupe_key="reminder:1:2024-05-10") is not None
    assert send(person, dedupe_key="reminder:1:2024-05-10") is None
    assert Notification.objects.count() == 1
    assert NotificationDelivery.objects.count() == 2


def test_a_batch_for_the_close_of_business(db, django_assert_max_num_queries):
    people = [UserFactory.create(email=f"p{n}@example.com") for n in range(30)]
    now = timezone.now()
    notices = [
        NoticeRequest(
            p,
            Kind.REPAYMENT_DUE_SOON,
            {"amount": "100.00", "date": "2024-05-13"},
            "",
            f"due:{p.pk}",
        )
        for p in people
    ]
    # A few statements whatever the size of the batch (savepoints included).
    with django_assert_max_num_queries(7):
        made = notification_send_many(notices=notices, now=now)
    assert len(made) == 30
    assert NotificationDelivery.objects.count() == 60
    # The same batch again (a close re-run) makes nothing new.
    assert notification_send_many(notices=notices, now=now) == []


def test_staff_get_no_notices(db):
    assert send(StaffFactory.create()) is None
    assert not Notification.objects.exists()


def test_an_unknown_kind_is_a_programming_error(person):
    with pytest.raises(ValueError, match="Unknown notice kind"):
        send(person, kind="party")


def test_marking_read(person):
    first, second = send(person), send(person, kind=Kind.APPLICATION_REFUSED)
    assert notifications_unread_count(user=person) == 2
    later = timezone.now() + dt.timedelta(seconds=1)
    assert notifications_mark_read(user=person, now=later, public_ids=[str(first.public_id)]) == 1
    assert notifications_unread_count(user=person) == 1
    assert notifications_mark_read(user=person, now=later) == 1
    assert notifications_mark_read(user=person, now=later) == 0
    second.refresh_from_db()
    assert second.read_at == later
