"""Full-width characters (what a Chinese input method types) name the same phone number,
e-mail address, ID number and card as their ASCII forms: one identity, however typed.
Other scripts' digits are not numbers here."""

import pytest

from accounts import identity
from accounts.exceptions import FieldConflict, FieldError
from accounts.models import BorrowerProfile, User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_services_profiles import CARD, ID_NUMBER, complete


def wide(text):
    """The full-width forms (U+FF01 to U+FF5E) of the ASCII characters in `text`."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_a_full_width_phone_number_is_the_same_account(api_client, db):
    UserFactory.create(username="13800138000", phone="13800138000")
    # Signing up with that number typed in full width is refused as taken, at its first
    # step: the one-time code is not even sent.
    signup = api_client.post(
        "/api/v1/auth/phone-codes/",
        {"phone": wide("+8613800138000"), "purpose": "signup"},
        format="json",
    )
    assert signup.status_code == 400, signup.json()
    assert signup.json()["code"] == "phone_taken"
    login = api_client.post(
        "/api/v1/auth/login/",
        {"identifier": wide("13800138000"), "password": PASSWORD},
        format="json",
    )
    assert login.status_code == 200
    assert User.objects.count() == 1


def test_a_full_width_e_mail_address_is_the_same_account(api_client, db):
    UserFactory.create(username="zs@example.com", phone="", email="zs@example.com")
    signup = api_client.post(
        "/api/v1/auth/signup/",
        {
            "identifier": "zs" + wide("@") + "example.com",
            "password": "a long enough passphrase",
            "accept_agreements": True,
        },
        format="json",
    )
    assert signup.status_code == 409
    assert signup.json()["code"] == "email_taken"


def test_a_full_width_id_number_is_the_same_person(borrower, context, now, micro_product):
    complete(borrower, context, now)
    other = UserFactory.create()
    with pytest.raises(FieldConflict) as caught:
        complete(other, context, now, id_number=wide(ID_NUMBER), bank_card_number=wide(CARD))
    assert caught.value.code == "id_number_taken"
    assert BorrowerProfile.objects.count() == 1


def test_a_full_width_card_number_is_stored_as_digits(borrower, context, now, micro_product):
    profile = complete(borrower, context, now, bank_card_number=wide(CARD))
    profile.refresh_from_db()
    assert profile.bank_card_number == CARD


@pytest.mark.parametrize(
    "value",
    [
        "\u0661\u0663\u0668\u0660\u0660\u0661\u0663\u0668\u0660\u0660\u0660",  # Arabic-Indic
        "\u0967\u0969\u096e\u0966\u0966\u0967\u0969\u096e\u0966\u0966\u0966",  # Devanagari
    ],
)
def test_other_scripts_digits_are_not_a_phone_number(value):
    with pytest.raises(FieldError):
        identity.phone_clean(value)
