"""Checks and masks of real-name details (accounts/identity.py): pure functions."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts import identity
from accounts.exceptions import FieldError
from tests.accounts.factories import (
    id_check_character,
    luhn_complete,
    make_card_number,
    make_id_number,
    wrong_check_character,
)

BUSINESS_DATE = dt.date(2024, 5, 10)


def clean_id(value: str) -> tuple[str, dt.date]:
    return identity.id_number_clean(value, business_date=BUSINESS_DATE)


def error_code(call, *args, **kwargs) -> str:
    with pytest.raises(FieldError) as caught:
        call(*args, **kwargs)
    return caught.value.code


# The example from GB 11643-1999 itself: 11010519491231002X.
def test_the_standards_own_example_is_valid():
    assert id_check_character("11010519491231002") == "X"
    assert identity.id_number_check_character("11010519491231002") == "X"


def test_a_valid_id_number_gives_its_birth_date():
    number = make_id_number(dt.date(1990, 3, 7))
    assert clean_id(number) == (number, dt.date(1990, 3, 7))


def test_lower_case_x_and_spaces_are_normalised():
    candidates = (make_id_number(dt.date(1985, 1, 1), sequence=s) for s in range(1000))
    number = next(n for n in candidates if n.endswith("X"))
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    assert clean_id(typed)[0] == number


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_number_required"),
        ("11010519900307123", "id_number_invalid"),  # 17 characters
        ("1101051990030712345", "id_number_invalid"),  # 19 characters
        ("11010519900307A239", "id_number_invalid"),  # a letter inside
        ("X10105199003071239", "id_number_invalid"),
    ],
)
def test_malformed_id_numbers_are_refused(value, code):
    assert error_code(clean_id, value) == code


def test_a_wrong_check_character_is_refused():
    number = make_id_number(dt.date(1990, 3, 7))
    assert error_code(clean_id, wrong_check_character(number)) == "id_number_checksum"


def test_an_unknown_region_is_refused_even_with_a_right_checksum():
    first17 = "00010519900307123"
    assert error_code(clean_id, first17 + id_check_character(first17)) == "id_number_invalid"


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "18991231"])
def test_an_impossible_birth_date_is_refused(birth):
    first17 = f"110105{birth}123"
    number = first17 + id_check_character(first17)
    assert error_code(clean_id, number) == "id_number_birth_date_invalid"


def test_a_birth_date_after_the_business_date_is_refused():
    number = make_id_number(BUSINESS_DATE + dt.timedelta(days=1))
    assert error_code(clean_id, number) == "id_number_birth_date_invalid"


def test_age_limits_on_the_business_date():
    eighteen_today = make_id_number(dt.date(2006, 5, 10))
    eighteen_tomorrow = make_id_number(dt.date(2006, 5, 11))
    seventy_still = make_id_number(dt.date(1953, 5, 11))
    seventy_one_today = make_id_number(dt.date(1953, 5, 10))
    assert clean_id(eighteen_today)[1] == dt.date(2006, 5, 10)
    assert error_code(clean_id, eighteen_tomorrow) == "borrower_too_young"
    assert clean_id(seventy_still)[1] == dt.date(1953, 5, 11)
    assert error_code(clean_id, seventy_one_today) == "borrower_too_old"


def test_age_of_someone_born_on_29_february():
    born = dt.date(2004, 2, 29)
    assert identity.age_on(born, dt.date(2022, 2, 28)) == 17
    assert identity.age_on(born, dt.date(2022, 3, 1)) == 18
    assert identity.age_on(born, dt.date(2024, 2, 29)) == 20


@given(
    birth=st.dates(min_value=dt.date(1954, 1, 1), max_value=dt.date(2006, 1, 1)),
    region=st.sampled_from(["110105", "310104", "440305", "650102", "820000"]),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_every_number_with_the_right_check_character_passes_and_others_fail(
    birth, region, sequence
):
    number = make_id_number(birth, region=region, sequence=sequence)
    assert clean_id(number) == (number, birth)
    with pytest.raises(FieldError):
        clean_id(wrong_check_character(number))


def test_id_number_mask_keeps_first_three_and_last_four():
    assert identity.id_number_mask("11010519491231002X") == "110***********002X"
    assert len(identity.id_number_mask("11010519491231002X")) == 18


@pytest.mark.parametrize("length", [16, 17, 18, 19])
def test_valid_card_numbers_of_each_length(length):
    number = make_card_number(length=length, serial=42)
    assert len(number) == length
    assert identity.bank_card_clean(number) == number


def test_card_numbers_with_spaces_and_dashes_are_normalised():
    number = make_card_number(serial=7)
    typed = f"{number[:4]} {number[4:8]}-{number[8:12]} {number[12:]}"
    assert identity.bank_card_clean(typed) == number


def test_luhn_known_numbers():
    assert identity.luhn_valid("4111111111111111")
    assert identity.luhn_valid("79927398713")
    assert not identity.luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "bank_card_required"),
        ("411111111111111", "bank_card_invalid"),  # 15 digits
        ("41111111111111111111", "bank_card_invalid"),  # 20 digits
        ("4111 1111 1111 111a", "bank_card_invalid"),
        ("4111111111111112", "bank_card_checksum"),
    ],
)
def test_bad_card_numbers_are_refused(value, code):
    assert error_code(identity.bank_card_clean, value) == code


@given(st.text(alphabet="0123456789", min_size=15, max_size=18))
def test_luhn_completion_always_passes_and_a_changed_digit_fails(partial):
    number = luhn_complete(partial)
    assert identity.luhn_valid(number)
    changed = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not identity.luhn_valid(changed)


def test_card_mask():
    assert identity.bank_card_mask("6222020000000015") == "6222 **** **** 0015"
    assert identity.bank_card_mask("6222020000000000018") == "6222 **** **** 0018"


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("王小明", "王小明"),
        (" 王 小明 ", "王小明"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
    ],
)
def test_chinese_names_with_middle_dots(typed, clean):
    assert identity.full_name_clean(typed) == clean


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "full_name_required"),
        ("王", "full_name_invalid"),
        ("Wang Xiaoming", "full_name_invalid"),
        ("·买买提", "full_name_invalid"),
        ("阿依古丽··买买提", "full_name_invalid"),
        ("王小明1", "full_name_invalid"),
    ],
)
def test_bad_names_are_refused(typed, code):
    assert error_code(identity.full_name_clean, typed) == code


@pytest.mark.parametrize(
    ("typed", "clean"),
    [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000")],
)
def test_phone_numbers_are_normalised(typed, clean):
    assert identity.phone_clean(typed) == clean


@pytest.mark.parametrize("typed", ["1380013800", "23800138000", "138001380001", "abc"])
def test_bad_phone_numbers_are_refused(typed):
    assert error_code(identity.phone_clean, typed) == "phone_invalid"


def test_id_digest_is_keyed_and_stable(settings):
    number = make_id_number(dt.date(1990, 3, 7))
    digest = identity.id_number_digest(number)
    assert digest == identity.id_number_digest(number)
    assert len(digest) == 64
    assert number not in digest
    assert digest != identity.id_number_digest(number, secret="another-secret-key")
    settings.SECRET_KEY_FALLBACKS = ["old-key"]
    assert identity.id_number_digests(number) == [
        digest,
        identity.id_number_digest(number, secret="old-key"),
    ]
