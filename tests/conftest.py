"""Fixtures shared by every test. Tests run on the real PostgreSQL and Redis (see
config/settings/test.py)."""

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from common.models import BusinessCalendar

BUSINESS_DATE = dt.date(2024, 5, 10)

pytest_plugins = ["tests.verification.fixtures"]


def _connect_as(role: str) -> None:
    """Point the default connection at the owner or the application role (same database)."""
    from django.db import connections

    connection = connections["default"]
    settings_dict = connection.settings_dict
    owner = settings_dict["OWNER"]
    if "APP" not in settings_dict:
        settings_dict["APP"] = {
            "USER": settings_dict["USER"],
            "PASSWORD": settings_dict["PASSWORD"],
        }
    chosen = owner if role == "owner" else settings_dict["APP"]
    connection.close()
    settings_dict["USER"] = chosen["USER"]
    settings_dict["PASSWORD"] = chosen["PASSWORD"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """The test database is created and migrated by the owner role."""
    _connect_as("owner")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Tests run as the application role, which owns nothing; the database is dropped by
    the owner again at the end."""
    with django_db_blocker.unblock():
        _connect_as("app")
    yield
    with django_db_blocker.unblock():
        _connect_as("owner")


def _ensure_reference_data() -> None:
    """Transactional tests end by truncating every table, rows made by data migrations
    included; put them back so each test starts from a migrated database."""
    from django.utils import timezone

    from ledger.accounts import CHART_OF_ACCOUNTS
    from ledger.models import Account

    if Account.objects.count() != len(CHART_OF_ACCOUNTS):
        for account_code, name, name_zh, kind in CHART_OF_ACCOUNTS:
            Account.objects.get_or_create(
                code=str(account_code),
                defaults={"name": name, "name_zh": name_zh, "kind": str(kind)},
            )
    BusinessCalendar.objects.get_or_create(pk=1, defaults={"current_date": timezone.localdate()})

    from django.contrib.auth.models import Group

    from accounts.roles import ROLES, roles_sync

    if Group.objects.filter(name__in=[role.name for role in ROLES]).count() != len(ROLES):
        roles_sync()

    from loans.models import RiskRule, RiskSettings
    from loans.risk import DEFAULT_RULES

    if not RiskSettings.objects.exists():
        RiskSettings.objects.create(pk=1)
        for code, weight, parameters in DEFAULT_RULES:
            RiskRule.objects.get_or_create(code=code, defaults={"weight": weight, **parameters})


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
        _ensure_reference_data()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the platform's default language (Chinese): a request in an
    earlier test may have left another one active in this thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def _clear_own_cache_keys() -> None:
    """Delete this test process's cache keys only (see CACHES in config/settings/test.py):
    `cache.clear()` would empty the Redis database under the other xdist workers too."""
    prefix = cache.key_prefix
    if not prefix:
        cache.clear()
        return
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _sms_outbox():
    """Text messages of a test start from an empty outbox (common.sms.LocmemSmsSender)."""
    from common.sms import LocmemSmsSender

    LocmemSmsSender.outbox.clear()
    yield
    LocmemSmsSender.outbox.clear()


@pytest.fixture(autouse=True)
def _clean_cache():
    _clear_own_cache_keys()
    yield
    _clear_own_cache_keys()


@pytest.fixture
def business_date(db) -> dt.date:
    """Pin the business date so date rules are deterministic."""
    BusinessCalendar.objects.filter(pk=1).update(current_date=BUSINESS_DATE)
    return BUSINESS_DATE


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
