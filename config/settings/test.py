"""The test suite runs against the real PostgreSQL and Redis of the machine."""

import os

from .base import *  # noqa: F403
from .base import env

# The tests connect as the application role, which owns nothing; the test database is
# created, migrated, flushed and dropped as the owner role (tests/conftest.py and
# common/db/postgresql), as in production (docs/deployment.md).
DATABASES = {
    "default": env.db_url(
        "TEST_DATABASE_URL", default="postgres://microlend_app@127.0.0.1:5432/microlend"
    )
}
_owner = env.db_url(
    "TEST_DATABASE_OWNER_URL", default="postgres://microlend_owner@127.0.0.1:5432/microlend"
)
DATABASES["default"]["ENGINE"] = "common.db.postgresql"
DATABASES["default"]["OWNER"] = {"USER": _owner["USER"], "PASSWORD": _owner.get("PASSWORD", "")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
# Parallel test workers (pytest-xdist) share the Redis database: each keeps its keys under
# its own prefix, and clears only those (tests/conftest.py), so one worker's clean-up never
# resets another's throttle or lockout counts half-way through a test.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Text messages are kept in common.sms.LocmemSmsSender.outbox, as e-mails are in
# django.core.mail.outbox.
MICROLEND = {**MICROLEND, "SMS_SENDER": "common.sms.LocmemSmsSender"}  # noqa: F405
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "face_hints": None},
}
# Static files are served by the test client straight from the finders.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The admin's close runs in the request in tests (no worker takes tasks here).
MICROLEND = {**MICROLEND, "CLOSE_FROM_ADMIN": "inline"}
