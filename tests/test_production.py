"""Production settings: refuse to start without what they need, pass `check --deploy`
without a warning, and serve the API docs to staff only. Pages carry a
Content-Security-Policy that their own scripts live with."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.test import Client

from tests.accounts.factories import StaffFactory
from tests.loans.factories import MicroProductFactory, borrower

ROOT = Path(__file__).resolve().parent.parent


def production_env(**changes):
    """A real-looking production environment (the database and Redis of the tests)."""
    # Only what a server's environment would have: no test or debugging switches (the
    # browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process, for instance).
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_SALT_KEYS=secrets.token_hex(16),
        FACE_DATA_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="lend.example.com",
        DATABASE_URL=_database_url(),
        REDIS_URL=str(django_settings.CACHES["default"]["LOCATION"]),
        MICROLEND_DATA_DIR=str(ROOT / "var" / "production-check"),
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _database_url():
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def manage(*args, **changes):
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(**changes),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_has_no_warning():
    result = manage("check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.slow
def test_hsts_subdomains_and_preload_are_on_by_default_and_configurable():
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.API_DOCS_PUBLIC, s.DEBUG, s.CACHES['default']['BACKEND'])"
    )
    shown = manage("shell", "-c", script)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1].split() == [
        "31536000",
        "True",
        "True",
        "False",
        "False",
        "django.core.cache.backends.redis.RedisCache",
    ]
    off = manage(
        "check",
        "--deploy",
        DJANGO_SECURE_HSTS_PRELOAD="false",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
    )
    assert "security.W005" in off.stdout + off.stderr
    assert "security.W021" in off.stdout + off.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", None),
        ("DATABASE_URL", ""),
        ("DJANGO_SECRET_KEY", None),
        ("FIELD_ENCRYPTION_SALT_KEYS", None),
        ("FACE_DATA_KEYS", None),
        ("DJANGO_ALLOWED_HOSTS", None),
        ("REDIS_URL", None),
    ],
)
def test_production_refuses_to_start_without_a_variable_and_names_it(variable, value):
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    assert f"Set the {variable} environment variable" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "sqlite:////tmp/microlend.sqlite3", "must name a PostgreSQL database"),
        ("DJANGO_SECRET_KEY", "insecure-local-only-key-change-me", "DJANGO_SECRET_KEY"),
        ("FIELD_ENCRYPTION_SALT_KEYS", "microlend-local-salt-change-me", "development default"),
    ],
)
def test_production_refuses_the_development_defaults(variable, value, message):
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


# --- the API docs ---------------------------------------------------------------------


@pytest.fixture
def docs_for_staff_only(settings):
    settings.API_DOCS_PUBLIC = False


@pytest.mark.usefixtures("docs_for_staff_only")
@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/?script", "/api/schema/"])
def test_api_docs_are_for_staff_only(db, business_date, url):
    assert Client().get(url).status_code in (401, 403)
    MicroProductFactory.create()
    person = Client()
    person.force_login(borrower(business_date=business_date))
    assert person.get(url).status_code == 403
    staff = Client()
    staff.force_login(StaffFactory.create())
    assert staff.get(url).status_code == 200


def test_api_docs_are_open_where_configured(db, settings):
    settings.API_DOCS_PUBLIC = True
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    # The page's own script is a separate URL: no inline script for the policy to allow.
    assert "?script" in html
    assert Client().get("/api/docs/?script").status_code == 200


# --- Content-Security-Policy ------------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def _pages(business_date):
    from loans.models import LoanApplication
    from tests.loans.test_pages import apply_page

    MicroProductFactory.create()
    user = borrower(business_date=business_date)
    client = Client()
    client.force_login(user)
    apply_page(client)
    application = LoanApplication.objects.get(borrower=user)
    loan = application.loan
    yield Client(), ["/calculator/", "/accounts/login/", "/accounts/signup/"]
    yield (
        client,
        [
            "/home/",
            "/apply/",
            "/accounts/profile/",
            "/accounts/password/",
            "/face/enrol/",
            f"/applications/{application.public_id}/",
            f"/loans/{loan.public_id}/",
        ],
    )
    staff = Client()
    staff.force_login(StaffFactory.create(is_superuser=True))
    yield staff, ["/admin/", "/admin/ledger/account/", "/admin/loans/loan/"]


def test_every_page_has_a_policy_it_keeps(db, business_date):
    seen = 0
    for client, urls in _pages(business_date):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy
            assert "unsafe-inline" not in policy
            html = response.content.decode()
            assert not _INLINE_SCRIPT.search(html), url
            assert not _HANDLER.search(html), url
            if not url.startswith("/admin/"):
                assert not _STYLE.search(html), url
            seen += 1
    assert seen == 13
