"""The real-name profile (accounts/services/profiles.py, completed for borrowers through
loans.services.borrower_profile_submit, which grants the credit line); ID and card numbers
are encrypted at rest, masked everywhere, unique by digest."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from accounts import identity, services
from accounts.exceptions import FieldConflict, FieldError, NotABorrower
from accounts.models import BorrowerProfile, SecurityEvent
from common.exceptions import Conflict
from loans.models import CreditLine
from loans.services import borrower_profile_submit
from tests.accounts.factories import (
    BorrowerProfileFactory,
    UserFactory,
    make_card_number,
    make_id_number,
    wrong_check_character,
)
from tests.accounts.snapshots import accounts_state

BUSINESS_DATE = dt.date(2024, 5, 10)
ID_NUMBER = make_id_number(dt.date(1990, 3, 7), region="110105", sequence=123)
CARD = make_card_number(serial=123456)


def complete(user, context, now, **overrides):
    values = {
        "full_name": "王小明",
        "id_number": ID_NUMBER,
        "phone": user.phone or "13800138000",
        "bank_card_number": CARD,
        "bank_name": "招商银行",
    }
    values.update(overrides)
    return borrower_profile_submit(
        user=user,
        business_date=BUSINESS_DATE,
        now=now,
        context=context,
        credit_report_authorised=True,
        **values,
    )


def raw_profile_row(profile_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, bank_card_number, id_number_digest, id_number_masked, "
            "bank_card_masked FROM accounts_borrowerprofile WHERE id = %s",
            [profile_id],
        )
        return cursor.fetchone()


def test_completing_the_profile(borrower, context, now, micro_product):
    profile = complete(borrower, context, now, id_number=ID_NUMBER.lower())
    profile = BorrowerProfile.objects.get(pk=profile.pk)
    assert profile.user == borrower
    assert profile.full_name == "王小明"
    assert profile.id_number == ID_NUMBER
    assert profile.id_number_masked == f"110***********{ID_NUMBER[-4:]}"
    assert profile.birth_date == dt.date(1990, 3, 7)
    assert profile.bank_card_number == CARD
    assert profile.bank_card_masked == f"6222 **** **** {CARD[-4:]}"
    assert profile.bank_name == "招商银行"
    assert profile.completed_at == profile.updated_at == now


def test_completing_the_profile_grants_the_credit_line(borrower, context, now, micro_product):
    complete(borrower, context, now)
    line = CreditLine.objects.get(borrower=borrower)
    assert line.product == micro_product
    assert line.limit > 0
    assert line.granted_at == now


def test_what_completion_adds_commits_or_rolls_back_with_the_profile(borrower, context, now):
    completed = []

    def refuse(profile):
        completed.append(profile.user_id)
        raise Conflict("No line today.", "no_line")

    values = {
        "full_name": "王小明",
        "id_number": ID_NUMBER,
        "phone": "13800138000",
        "bank_card_number": CARD,
        "bank_name": "招商银行",
    }
    before = accounts_state()
    with pytest.raises(Conflict):
        services.borrower_profile_save(
            user=borrower,
            business_date=BUSINESS_DATE,
            now=now,
            context=context,
            credit_report_authorised=True,
            on_completed=refuse,
            **values,
        )
    assert completed == [borrower.pk]
    assert accounts_state() == before
    profile = services.borrower_profile_save(
        user=borrower,
        business_date=BUSINESS_DATE,
        now=now,
        context=context,
        credit_report_authorised=True,
        on_completed=completed.append,
        **values,
    )
    assert completed == [borrower.pk, profile]
    services.borrower_profile_save(
        user=borrower,
        business_date=BUSINESS_DATE,
        now=now,
        context=context,
        bank_name="中国银行",
        on_completed=completed.append,
    )
    assert completed == [borrower.pk, profile]  # an edit completes nothing


def test_sensitive_numbers_are_encrypted_at_rest(borrower, context, now, micro_product):
    profile = complete(borrower, context, now)
    id_column, card_column, digest, id_masked, card_masked = raw_profile_row(profile.pk)
    for column in (id_column, card_column):
        assert ID_NUMBER not in column
        assert CARD not in column
        assert ID_NUMBER[6:14] not in column  # not even the birth date digits
    assert id_column != card_column
    assert digest == identity.id_number_digest(ID_NUMBER)
    assert ID_NUMBER not in digest
    assert (id_masked, card_masked) == (profile.id_number_masked, profile.bank_card_masked)


def test_history_keeps_the_masks_but_never_the_numbers(borrower, context, now, micro_product):
    profile = complete(borrower, context, now)
    services.borrower_bank_card_change(
        user=borrower,
        bank_card_number=make_card_number(serial=999),
        bank_name="工商银行",
        context=context,
        now=now + dt.timedelta(minutes=1),
    )
    history = list(profile.history.order_by("history_date", "history_id"))
    assert [h.history_change_reason for h in history] == ["completed", "bank card changed"]
    assert history[1].bank_card_masked.endswith(make_card_number(serial=999)[-4:])
    assert history[1].history_date == now + dt.timedelta(minutes=1)
    columns = {f.column for f in BorrowerProfile.history.model._meta.get_fields() if f.concrete}
    assert {"id_number", "bank_card_number", "id_number_digest"}.isdisjoint(columns)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_historicalborrowerprofile")
        dump = repr(cursor.fetchall())
    assert ID_NUMBER not in dump
    assert CARD not in dump


def test_an_id_number_belongs_to_one_account(borrower, context, now, micro_product):
    complete(borrower, context, now)
    other = UserFactory.create()
    before = accounts_state()
    with pytest.raises(FieldConflict) as caught:
        complete(other, context, now, id_number=ID_NUMBER.lower())
    assert (caught.value.code, caught.value.field) == ("id_number_taken", "id_number")
    assert caught.value.status_code == 409
    assert accounts_state() == before


def test_the_digest_finds_numbers_stored_under_a_previous_secret_key(
    borrower, context, now, micro_product, settings
):
    BorrowerProfileFactory.create(
        id_number=ID_NUMBER,
        id_number_digest=identity.id_number_digest(ID_NUMBER, secret="the-old-key"),
    )
    settings.SECRET_KEY_FALLBACKS = ["the-old-key"]
    with pytest.raises(FieldConflict) as caught:
        complete(borrower, context, now)
    assert caught.value.code == "id_number_taken"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"full_name": ""}, "full_name", "full_name_required"),
        ({"full_name": "Wang"}, "full_name", "full_name_invalid"),
        ({"id_number": ""}, "id_number", "id_number_required"),
        ({"id_number": wrong_check_character(ID_NUMBER)}, "id_number", "id_number_checksum"),
        ({"id_number": ID_NUMBER[:17]}, "id_number", "id_number_invalid"),
        (
            {"id_number": make_id_number(dt.date(2024, 6, 1))},
            "id_number",
            "id_number_birth_date_invalid",
        ),
        (
            {"id_number": make_id_number(dt.date(2006, 5, 11))},
            "id_number",
            "borrower_too_young",
        ),
        ({"id_number": make_id_number(dt.date(1953, 5, 10))}, "id_number", "borrower_too_old"),
        ({"phone": "12345"}, "phone", "phone_invalid"),
        ({"bank_card_number": "6222020000000016"}, "bank_card_number", "bank_card_checksum"),
        ({"bank_card_number": "62220200"}, "bank_card_number", "bank_card_invalid"),
        ({"bank_name": " "}, "bank_name", "bank_name_required"),
        ({"bank_name": None}, "bank_name", "bank_name_required"),
        ({"id_number": None}, "id_number", "id_number_required"),
    ],
)
def test_completion_refusals_name_the_field_and_change_nothing(
    borrower, context, now, micro_product, overrides, field, code
):
    before = accounts_state()
    with pytest.raises(FieldError) as caught:
        complete(borrower, context, now, **overrides)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert accounts_state() == before


def test_completion_needs_a_mobile_number(db, context, now, micro_product):
    user = UserFactory.create(phone="", username="li@example.com", email="li@example.com")
    before = accounts_state()
    with pytest.raises(FieldError) as caught:
        complete(user, context, now, phone=None)
    assert caught.value.code == "phone_required"
    assert accounts_state() == before


def test_completion_adds_a_mobile_number_to_an_email_account(db, context, now, micro_product):
    user = UserFactory.create(phone="", username="li@example.com", email="li@example.com")
    complete(user, context, now, phone="+86 138 0013 8000")
    user.refresh_from_db()
    assert (user.phone, user.username) == ("13800138000", "li@example.com")
    # Adding a first number is not a change of number.
    assert not user.security_events.filter(kind=SecurityEvent.Kind.PHONE_CHANGED).exists()


def test_completion_with_another_accounts_phone_is_refused(db, context, now, micro_product):
    UserFactory.create(phone="13800138000")
    user = UserFactory.create(phone="", username="li@example.com", email="li@example.com")
    before = accounts_state()
    with pytest.raises(FieldConflict) as caught:
        complete(user, context, now, phone="13800138000")
    assert (caught.value.code, caught.value.field) == ("phone_taken", "phone")
    assert accounts_state() == before


def test_staff_cannot_have_a_profile(staff, context, now, micro_product):
    before = accounts_state()
    with pytest.raises(NotABorrower):
        complete(staff, context, now, phone="13800138000")
    assert accounts_state() == before


def test_changing_the_phone_number_is_a_security_event(db, context, now, micro_product):
    user = UserFactory.create(phone="13800138000", username="13800138000")
    complete(user, context, now)
    later = now + dt.timedelta(hours=1)
    borrower_profile_submit(
        user=user, business_date=BUSINESS_DATE, now=later, context=context, phone="13900139000"
    )
    user.refresh_from_db()
    # Signed up with the old number: signs in with the new one from now on.
    assert (user.phone, user.username) == ("13900139000", "13900139000")
    event = user.security_events.get(kind=SecurityEvent.Kind.PHONE_CHANGED)
    assert event.occurred_at == later
    assert event.detail == "138****8000 → 139****9000"
    assert event.ip_address == context.ip_address


def test_saving_the_same_phone_changes_nothing(db, context, now, micro_product):
    user = UserFactory.create(phone="13800138000")
    profile = complete(user, context, now)
    before = accounts_state()
    borrower_profile_submit(
        user=user,
        business_date=BUSINESS_DATE,
        now=now,
        context=context,
        phone="138-0013-8000",
        full_name=profile.full_name,
        id_number=ID_NUMBER,
    )
    assert accounts_state() == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"full_name": "王大明"},
        {"id_number": make_id_number(dt.date(1990, 3, 7), sequence=124)},
    ],
)
def test_name_and_id_number_are_fixed_once_complete(
    borrower, context, now, micro_product, overrides
):
    complete(borrower, context, now)
    before = accounts_state()
    with pytest.raises(FieldConflict) as caught:
        borrower_profile_submit(
            user=borrower, business_date=BUSINESS_DATE, now=now, context=context, **overrides
        )
    assert caught.value.code == "identity_locked"
    assert accounts_state() == before


def test_editing_the_card_through_the_profile(borrower, context, now, micro_product):
    profile = complete(borrower, context, now)
    new_card = make_card_number(length=19, serial=77)
    later = now + dt.timedelta(days=1)
    borrower_profile_submit(
        user=borrower,
        business_date=BUSINESS_DATE,
        now=later,
        context=context,
        bank_card_number=new_card,
        bank_name="中国银行",
    )
    profile.refresh_from_db()
    assert (profile.bank_card_number, profile.bank_name) == (new_card, "中国银行")
    assert profile.updated_at == later
    event = borrower.security_events.get(kind=SecurityEvent.Kind.BANK_CARD_CHANGED)
    assert event.detail == f"6222 **** **** {CARD[-4:]} → 6222 **** **** {new_card[-4:]}"
    assert CreditLine.objects.filter(borrower=borrower).count() == 1


def test_bank_card_change(borrower, context, now, micro_product):
    complete(borrower, context, now)
    new_card = make_card_number(prefix="621700", serial=5)
    profile = services.borrower_bank_card_change(
        user=borrower, bank_card_number=new_card, bank_name="建设银行", context=context, now=now
    )
    profile.refresh_from_db()
    assert profile.bank_card_masked == f"6217 **** **** {new_card[-4:]}"
    assert profile.bank_name == "建设银行"
    assert borrower.security_events.filter(kind="bank_card_changed").count() == 1


def test_binding_the_same_card_again_is_not_a_change(borrower, context, now, micro_product):
    complete(borrower, context, now)
    before = accounts_state()
    services.borrower_bank_card_change(
        user=borrower, bank_card_number=CARD, bank_name="招商银行", context=context, now=now
    )
    assert accounts_state() == before


@pytest.mark.parametrize(
    ("number", "bank", "code"),
    [
        ("6222020000000016", "建设银行", "bank_card_checksum"),
        ("", "建设银行", "bank_card_required"),
        (make_card_number(serial=5), "", "bank_name_required"),
    ],
)
def test_bank_card_change_refusals_change_nothing(
    borrower, context, now, micro_product, number, bank, code
):
    complete(borrower, context, now)
    before = accounts_state()
    with pytest.raises(FieldError) as caught:
        services.borrower_bank_card_change(
            user=borrower, bank_card_number=number, bank_name=bank, context=context, now=now
        )
    assert caught.value.code == code
    assert accounts_state() == before


def test_bank_card_change_needs_a_complete_profile(borrower, context, now):
    before = accounts_state()
    with pytest.raises(Conflict) as caught:
        services.borrower_bank_card_change(
            user=borrower, bank_card_number=CARD, bank_name="建设银行", context=context, now=now
        )
    assert caught.value.code == "profile_incomplete"
    assert accounts_state() == before


@pytest.mark.django_db(transaction=True)
def test_two_accounts_racing_for_one_id_number(micro_product, context, now):
    """The digest's unique index decides a race the existence check cannot see: the
    loser gets the same clear conflict, and keeps no profile and no credit line."""
    first, second = UserFactory.create(), UserFactory.create()
    inserted = threading.Event()

    def insert_and_commit_a_moment_later():
        try:
            with transaction.atomic():
                BorrowerProfileFactory.create(user=first, id_number=ID_NUMBER)
                inserted.set()
                time.sleep(1)  # the other transaction is now waiting on the index
        finally:
            connection.close()

    rival = threading.Thread(target=insert_and_commit_a_moment_later)
    rival.start()
    assert inserted.wait(10)
    with pytest.raises(FieldConflict) as caught:
        complete(second, context, now)
    rival.join()
    assert caught.value.code == "id_number_taken"
    assert (
        BorrowerProfile.objects.get(id_number_digest=identity.id_number_digest(ID_NUMBER)).user
        == first
    )
    assert not BorrowerProfile.objects.filter(user=second).exists()
    assert not CreditLine.objects.filter(borrower=second).exists()
