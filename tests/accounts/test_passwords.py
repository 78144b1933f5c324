"""Passwords that look blank are refused: spaces of any width and invisible characters do
not make a secret."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User
from accounts.validators import VisibleCharactersValidator, visible_characters
from tests.accounts.factories import PASSWORD

BLANK_LOOKING = [
    " " * 12,
    "\t" * 12,
    "\u3000" * 12,  # ideographic space
    "\u00a0" * 12,  # no-break space
    "\u200b" * 16,  # zero-width space
    "\u200d\ufeff" * 8,
    " \u2028 \u2029" * 4,
    "ab" + " " * 14,
]


def test_visible_characters_are_counted():
    assert visible_characters("correct horse") == 12
    assert visible_characters("\u200bpass\u3000word\u00a0") == 8
    assert visible_characters("密码很长很长很长") == 8
    VisibleCharactersValidator().validate("密码很长很长很长")


@pytest.mark.parametrize("password", BLANK_LOOKING)
def test_sign_up_refuses_a_blank_looking_password(api_client, db, password):
    response = api_client.post(
        "/api/v1/auth/signup/",
        {"identifier": "blank@example.com", "password": password, "accept_agreements": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "password_invalid"
    assert User.objects.count() == 0


def test_the_sign_up_page_says_so_next_to_the_password(client, db):
    password = " " * 12
    response = client.post(
        "/accounts/signup/",
        {
            "identifier": "blank@example.com",
            "password": password,
            "password_confirm": password,
            "accept_agreements": "on",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "password" in errors
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        VisibleCharactersValidator().validate(password)
    assert refused.value.messages[0] in errors["password"][0]
    assert User.objects.count() == 0


def test_password_change_refuses_one(api_client, db):
    from rest_framework.authtoken.models import Token

    from tests.accounts.factories import UserFactory

    user = UserFactory.create()
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": "\u3000" * 12},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "password_invalid"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
