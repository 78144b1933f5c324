"""Sign-in lockout counts per account, whatever identifier was typed, at one client
address; and per address across accounts, with its own limit."""

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD, UserFactory

LOGIN = "/api/v1/auth/login/"
HOME = "198.51.100.10"
STRANGER = "203.0.113.99"


def login(identifier, password, address):
    return APIClient().post(
        LOGIN, {"identifier": identifier, "password": password}, format="json", REMOTE_ADDR=address
    )


@pytest.fixture
def zhang(db):
    return UserFactory.create(username="zhangsan", phone="13800138000", email="zs@example.com")


def test_failures_add_up_whichever_identifier_was_typed(zhang):
    # Five wrong passwords, tried by e-mail (in two spellings), phone and username.
    for identifier in ("zs@example.com", "ZS@Example.com", "138 0013 8000", "+8613800138000"):
        assert login(identifier, "wrong password!", HOME).status_code == 400
    assert login("zhangsan", "wrong password!", HOME).status_code == 429
    for identifier in ("zhangsan", "13800138000", "zs@example.com"):
        locked = login(identifier, PASSWORD, HOME)
        assert locked.status_code == 429
        assert locked.json()["code"] == "locked_out"


def test_a_stranger_elsewhere_cannot_lock_the_borrower_out(zhang):
    for identifier in ("13800138000", "zs@example.com", "zhangsan") * 3:
        login(identifier, "wrong password!", STRANGER)
    assert login("13800138000", PASSWORD, STRANGER).status_code == 429
    assert login("13800138000", PASSWORD, HOME).status_code == 200


def test_one_address_is_locked_after_failures_across_accounts(db, settings):
    settings.AXES_FAILURE_LIMIT_PER_ADDRESS = 6
    victims = [UserFactory.create() for _ in range(6)]
    # One try per account: no account comes near its own limit of five, but the sixth
    # failure from the address locks the address.
    for victim in victims[:5]:
        assert login(victim.phone, "wrong password!", STRANGER).status_code == 400
    assert login(victims[5].phone, "wrong password!", STRANGER).status_code == 429
    own = UserFactory.create()
    assert login(own.phone, PASSWORD, STRANGER).status_code == 429
    assert login(victims[0].phone, PASSWORD, STRANGER).status_code == 429
    # The address, not the accounts: from home everyone signs in.
    assert login(own.phone, PASSWORD, HOME).status_code == 200
    assert login(victims[0].phone, PASSWORD, HOME).status_code == 200


def test_signing_in_to_ones_own_account_does_not_reset_an_attack_on_another(zhang):
    attacker = UserFactory.create()
    for _ in range(4):
        assert login("zhangsan", "wrong password!", STRANGER).status_code == 400
    assert login(attacker.phone, PASSWORD, STRANGER).status_code == 200
    assert login("zs@example.com", "wrong password!", STRANGER).status_code == 429


def test_a_successful_sign_in_clears_the_accounts_own_failures(zhang):
    for _ in range(4):
        login("zs@example.com", "wrong password!", HOME)
    assert login("13800138000", PASSWORD, HOME).status_code == 200
    for _ in range(4):
        assert login("zhangsan", "wrong password!", HOME).status_code == 400


def test_the_page_counts_the_same_way(client, zhang):
    for identifier in ("zs@example.com", "13800138000", "zhangsan", "ZS@example.com", "zhangsan"):
        client.post(
            "/accounts/login/",
            {"identifier": identifier, "password": "wrong password!"},
            REMOTE_ADDR=HOME,
        )
    response = client.post(
        "/accounts/login/", {"identifier": "13800138000", "password": PASSWORD}, REMOTE_ADDR=HOME
    )
    assert response.status_code == 429
