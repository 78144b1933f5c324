"""Production: everything from the environment, secure cookies, no debug.

Nothing here falls back to a default that only suits a laptop: a missing variable stops
the process at start-up with an error naming it (no SQLite database, no in-process cache,
no development secret key or encryption salt)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEFAULT_SALT_KEY, DEFAULT_SECRET_KEY, SPECTACULAR_SETTINGS, env


def _required(name: str, *, purpose: str) -> str:
    value = str(env.str(name, default="")).strip()
    if not value:
        raise ImproperlyConfigured(
            f"Set the {name} environment variable ({purpose}): production does not start "
            "without it."
        )
    return value


def _required_list(name: str, *, purpose: str, refused: str = "") -> list[str]:
    values = [item.strip() for item in _required(name, purpose=purpose).split(",")]
    values = [item for item in values if item]
    if not values or (refused and refused in values):
        raise ImproperlyConfigured(
            f"Set the {name} environment variable ({purpose}) to your own values: production "
            "does not start with the development default."
        )
    return values


DEBUG = False

SECRET_KEY = _required("DJANGO_SECRET_KEY", purpose="signatures and sessions")
if SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "Set the DJANGO_SECRET_KEY environment variable to your own secret: production does "
        "not start with the development default."
    )
SALT_KEY = _required_list(
    "FIELD_ENCRYPTION_SALT_KEYS",
    purpose="encryption of ID and card numbers",
    refused=DEFAULT_SALT_KEY,
)
# Face data must be encrypted with keys held outside the code and the database.
FACE_DATA_KEYS = _required_list("FACE_DATA_KEYS", purpose="encryption of face data")
ALLOWED_HOSTS = _required_list("DJANGO_ALLOWED_HOSTS", purpose="the site's host names")

DATABASES = {
    "default": env.db_url_config(_required("DATABASE_URL", purpose="the PostgreSQL database"))
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database in production (postgres://...)."
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))

# One cache shared by every web process: throttles and lockouts count across all of them.
REDIS_URL = _required("REDIS_URL", purpose="the shared cache and the Celery broker")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL

# HTTPS only, and browsers told so for a year (the minimum the HSTS preload list accepts).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# The schema and the interactive API docs are for staff (signed in to the back office).
API_DOCS_PUBLIC = False
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAdminUser"],
}
