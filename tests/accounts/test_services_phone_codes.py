"""One-time codes by text message (accounts/services/phone_codes.py): sent through the
SMS sender, stored as a digest, throttled per number and per address."""

import datetime as dt

import pytest

from accounts.exceptions import FieldError
from accounts.models import PhoneCode
from accounts.services import TooManyCodes, phone_code_send
from common.request_context import ClientContext
from common.sms import ConsoleSmsSender, LocmemSmsSender
from tests.accounts.factories import UserFactory, sms_code

CONTEXT = ClientContext(ip_address="198.51.100.4", user_agent="pytest", device_id="")


def send(phone, now, purpose="signup", context=CONTEXT):
    return phone_code_send(phone=phone, purpose=purpose, context=context, now=now)


def test_a_code_is_sent_by_text_message_and_stored_as_a_digest(db, now):
    sent = send("+86 138 0013 8000", now)
    assert sent.phone_masked == "138****8000"
    (message,) = LocmemSmsSender.outbox
    assert message.phone == "13800138000"
    code = sms_code("13800138000")
    row = PhoneCode.objects.get()
    assert row.purpose == "signup"
    assert len(row.code_digest) == 64
    assert code not in row.code_digest
    assert row.expires_at == sent.expires_at > now


def test_the_message_is_in_the_language_of_the_request(db, now):
    from django.utils import translation

    with translation.override("en"):
        send("13800138000", now)
    with translation.override("zh-hans"):
        send("13800138001", now)
    english, chinese = LocmemSmsSender.outbox
    assert "Your code is" in english.text
    assert "验证码" in chinese.text


def test_one_code_a_minute_per_number(db, now, settings):
    send("13800138000", now)
    with pytest.raises(TooManyCodes) as caught:
        send("13800138000", now + dt.timedelta(seconds=30))
    assert caught.value.status_code == 429
    assert 29 <= caught.value.retry_after <= 31
    assert len(LocmemSmsSender.outbox) == 1
    send("13800138000", now + dt.timedelta(seconds=settings.PHONE_CODES["RESEND_SECONDS"]))
    assert len(LocmemSmsSender.outbox) == 2
    # The newer code replaces the older one.
    assert PhoneCode.objects.filter(expires_at__gt=now + dt.timedelta(seconds=61)).count() == 1


def test_a_few_codes_a_day_per_number(db, now, settings):
    limit = settings.PHONE_CODES["MAX_PER_PHONE_PER_DAY"]
    gap = dt.timedelta(seconds=settings.PHONE_CODES["RESEND_SECONDS"])
    for n in range(limit):
        send("13800138000", now + n * gap)
    with pytest.raises(TooManyCodes):
        send("13800138000", now + limit * gap)
    assert PhoneCode.objects.count() == limit


def test_a_few_codes_an_hour_per_address(db, now, settings):
    settings.PHONE_CODES = {**settings.PHONE_CODES, "MAX_PER_IP_PER_HOUR": 3}
    for n in range(3):
        send(f"1380013800{n}", now)
    with pytest.raises(TooManyCodes):
        send("13800138009", now)
    other = ClientContext(ip_address="198.51.100.5", user_agent="", device_id="")
    send("13800138009", now, context=other)


def test_no_sign_up_code_for_a_taken_number(db, now):
    UserFactory.create(phone="13800138000")
    with pytest.raises(FieldError) as caught:
        send("13800138000", now)
    assert caught.value.code == "phone_taken"
    assert not LocmemSmsSender.outbox


def test_a_reset_for_an_unknown_number_looks_the_same_but_sends_nothing(db, now):
    UserFactory.create(phone="13800138000")
    known = send("13800138000", now, purpose="password_reset")
    unknown = send("13900139000", now, purpose="password_reset")
    assert [m.phone for m in LocmemSmsSender.outbox] == ["13800138000"]
    assert (known.expires_at, known.resend_after) == (unknown.expires_at, unknown.resend_after)


# (A number typed in full-width digits is the same number: accounts.identity reads it as
# ASCII, tests/accounts/test_full_width.py.)
@pytest.mark.parametrize("phone", ["", "1380013800", "\uff11\uff13\uff18" + "0" * 7, "1" * 200])
def test_a_bad_number_is_refused(db, now, phone):
    with pytest.raises(FieldError) as caught:
        send(phone, now)
    assert caught.value.field == "phone"
    assert not PhoneCode.objects.exists()


def test_the_console_sender_prints_the_message():
    import io

    stream = io.StringIO()
    reference = ConsoleSmsSender(stream).send(phone="13800138000", text="hello")
    assert stream.getvalue() == "SMS to 13800138000: hello\n"
    assert reference
