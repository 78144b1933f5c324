"""Settings shared by every environment. Everything that differs between machines comes from
the environment (or a `.env` file next to manage.py); `.env.example` documents each variable."""

import base64
import hashlib
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

# Lets annotations such as ModelAdmin[Loan] and QuerySet[Loan] work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Where the embedded default keeps its database, broker queue and uploaded files.
DATA_DIR = Path(env.str("MICROLEND_DATA_DIR", default=str(BASE_DIR / "var")))

# The development defaults below are refused by production.py.
DEFAULT_SECRET_KEY = "insecure-local-only-key-change-me"  # noqa: S105 - refused in production
DEFAULT_SALT_KEY = "microlend-local-salt-change-me"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEFAULT_SECRET_KEY)
# Old secret keys still accepted (signatures, and decrypting fields encrypted under them).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
# Salts of the field-encryption keys (django-fernet-encrypted-fields); the first encrypts,
# all decrypt, so a new salt at the head rotates the key.
SALT_KEY = env.list("FIELD_ENCRYPTION_SALT_KEYS", default=[DEFAULT_SALT_KEY])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin on the back office's site (the dashboard is its first page).
    "backoffice.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "import_export",
    # django-axes, named in the staff's language.
    "accounts.apps.SignInProtectionConfig",
    "csp",
    "common",
    "accounts",
    "notifications",
    "ledger",
    "loans",
    "verification",
    "repayments",
    "closing",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: a request declaring too large a body is refused unread.
    "common.uploads.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.request_context.DeviceIdMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.business_date",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# The embedded default is SQLite in WAL mode with IMMEDIATE transactions, so the web
# process, the worker and beat can write to it side by side without "database is locked".
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'microlend.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
# Services open their own `transaction.atomic(durable=True)`; a request-wide transaction
# would make every one of them fail.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Borrowers sign in with a phone number or an e-mail address; staff with a username.
    "accounts.backends.PhoneOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.VisibleCharactersValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/home/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Face photos and frames (encrypted): never under MEDIA_ROOT or STATIC_ROOT, never served.
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(DATA_DIR / "private")))
# Fernet keys for face data (first encrypts, all decrypt). Without any, a key derived from
# SECRET_KEY is used (local and tests only; production.py refuses to start without keys).
FACE_DATA_KEYS = env.list("FACE_DATA_KEYS", default=[])
if not FACE_DATA_KEYS:
    FACE_DATA_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(f"face-data:{SECRET_KEY}".encode()).digest()
        ).decode()
    ]

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }

REST_FRAMEWORK = {
    # Token first: an anonymous API call then answers 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.DecimalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "120/minute",
        "user": "600/minute",
        "face_hints": "90/minute",
        # Uploads of face pictures, per borrower and per client address (common.uploads).
        "face_enrolment": env.str("THROTTLE_FACE_ENROLMENT", default="10/hour"),
        "face_enrolment_ip": env.str("THROTTLE_FACE_ENROLMENT_IP", default="30/hour"),
        "face_attempt": env.str("THROTTLE_FACE_ATTEMPT", default="20/hour"),
        "face_attempt_ip": env.str("THROTTLE_FACE_ATTEMPT_IP", default="60/hour"),
        # Written prepayment applications with their scanned documents.
        "prepayment_documents": env.str("THROTTLE_PREPAYMENT_DOCUMENTS", default="10/hour"),
        "prepayment_documents_ip": env.str("THROTTLE_PREPAYMENT_DOCUMENTS_IP", default="30/hour"),
    },
}
# Deepest nesting of arrays and objects a JSON request body may have (common.api).
API_JSON_MAX_DEPTH = 32

# What one request may send (common.uploads, common.images). The declared Content-Length
# is checked before the body is read; Django never reads more than that.
UPLOADS = {
    # Any request at all: the largest legitimate one is a burst of face-check frames.
    "MAX_REQUEST_BYTES": env.int("UPLOAD_MAX_REQUEST_BYTES", default=18 * 1024 * 1024),
    # A written prepayment application: four scanned documents.
    "MAX_PREPAYMENT_REQUEST_BYTES": env.int(
        "UPLOAD_MAX_PREPAYMENT_REQUEST_BYTES", default=17 * 1024 * 1024
    ),
    # Each document of a prepayment application (a photo or a PDF).
    "DOCUMENTS": {"max_bytes": 4_000_000, "max_pages": 30},
    "MAX_PHOTO_REQUEST_BYTES": env.int("UPLOAD_MAX_PHOTO_REQUEST_BYTES", default=8 * 1024 * 1024),
    "MAX_HINT_REQUEST_BYTES": 400 * 1024,
    "IMAGES": {
        # A reference photo (and, later, a scanned document): a 12-megapixel phone photo
        # passes; a 7000 x 7000 "bomb" of a few kilobytes does not.
        "photo": {
            "max_bytes": 8 * 1000 * 1000,
            "max_pixels": 16_800_000,
            "max_side": 6_000,
            "min_side": 64,
        },
        # One camera frame of a face check (the page sends 640 px wide; an app up to 1080p).
        "frame": {
            "max_bytes": 1_500_000,
            "max_pixels": 2_100_000,
            "max_side": 1_920,
            "min_side": 64,
        },
        "hint": {"max_bytes": 300_000, "max_pixels": 1_000_000, "max_side": 1_280, "min_side": 32},
        # A photographed document: a 24-megapixel phone photo passes, a bomb does not.
        "document": {
            "max_bytes": 4_000_000,
            "max_pixels": 25_000_000,
            "max_side": 8_000,
            "min_side": 200,
        },
    },
}
# Non-file fields of a request (a JSON body, a form): 413 above this.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=512 * 1024)
# A face check sends at most FACE_CHECK["MAX_FRAMES"] files; a few more get a clear 400.
DATA_UPLOAD_MAX_NUMBER_FILES = 12
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Content-Security-Policy (django-csp): scripts, styles, fonts and connections only from
# this site; no inline script or style anywhere (pages keep theirs in static files and
# pass data in <script type="application/json"> blocks, which are not executed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:", "mediastream:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Whether /api/schema/ and /api/docs/ are open to everyone (production: staff only).
API_DOCS_PUBLIC = env.bool("MICROLEND_API_DOCS_PUBLIC", default=True)
SPECTACULAR_SETTINGS = {
    "TITLE": "microlend API",
    "DESCRIPTION": "Credit lines, repayment schedules, loan applications, face checks and "
    "repayments. Money and rates are decimal strings; errors are {detail, code}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery. With no broker configured the embedded default is a file-system queue under
# DATA_DIR, which needs no server; REDIS_URL (or CELERY_BROKER_URL) switches to Redis.
_broker_dir = DATA_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default="")) or (
    "filesystem://"
)
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(DATA_DIR / "broker-processed"),
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
        "polling_interval": 0.2,  # float-ok: seconds between polls of the queue folder
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "payouts-resend-pending": {
        "task": "loans.tasks.payouts_resend_pending",
        "schedule": 300,
        "options": {"expires": 240},
    },
    "export-files-purge": {
        "task": "common.tasks.export_files_purge_task",
        "schedule": 24 * 3600,
        "options": {"expires": 3600},
    },
    "face-frames-purge": {
        "task": "verification.tasks.face_frames_purge_task",
        "schedule": 24 * 3600,
        "options": {"expires": 3600},
    },
    "applications-disburse-approved": {
        "task": "loans.tasks.applications_disburse_approved",
        "schedule": 120,
        "options": {"expires": 100},
    },
    "notification-deliveries-resend-pending": {
        "task": "notifications.tasks.notification_deliveries_resend_pending",
        "schedule": 300,
        "options": {"expires": 240},
    },
    "applications-expire": {
        "task": "loans.tasks.applications_expire",
        "schedule": 3600,
        "options": {"expires": 3000},
    },
    "repayments-resend-pending": {
        "task": "repayments.tasks.repayments_resend_pending",
        "schedule": 300,
        "options": {"expires": 240},
    },
    "close-followups-resend-pending": {
        "task": "closing.tasks.close_followups_resend_pending",
        "schedule": 300,
        "options": {"expires": 240},
    },
}
# The nightly close of business is a periodic task of its own, made by a data migration
# (closing/migrations) so that staff can change its time in the admin.

# Sign-in lockout (django-axes, accounts.lockout). Failures count per account, whichever
# identifier (mobile number, e-mail, username) was typed, combined with the client
# address: a stranger elsewhere cannot lock a borrower out. Separately, one address is
# locked after AXES_FAILURE_LIMIT_PER_ADDRESS failures across all accounts.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_FAILURE_LIMIT_PER_ADDRESS = env.int("AXES_FAILURE_LIMIT_PER_ADDRESS", default=30)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_account_key"
AXES_HANDLER = "accounts.lockout.AccountAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.axes_client_ip"
AXES_RESET_ON_SUCCESS = True
# Locked-out logins (pages, API and admin) get the same clear answer.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Product-independent lending rules (DOMAIN.md). Values that vary per loan product live on
# the product and are edited by staff in the admin.
MICROLEND = {
    # An annualized rate (IRR) above this cannot be offered by any product or price.
    "ANNUALIZED_RATE_CAP": env.str("MICROLEND_ANNUALIZED_RATE_CAP", default="0.24"),
    # The payment gateway for payouts and card collections (common.gateway).
    "PAYMENT_GATEWAY": env.str(
        "MICROLEND_PAYMENT_GATEWAY", default="common.gateway.SimulatedGateway"
    ),
    # Reverse proxies in front of the web process that append to X-Forwarded-For (the
    # client address the risk rules see is taken from there); 0 = clients connect directly.
    "TRUSTED_PROXIES": env.int("MICROLEND_TRUSTED_PROXIES", default=0),
    # Days an application waits for a required face check before it expires.
    "APPLICATION_VALIDITY_DAYS": env.int("MICROLEND_APPLICATION_VALIDITY_DAYS", default=7),
    # The PostgreSQL role the application connects as; migrations, run as the owner role,
    # grant it what it needs and nothing more (common/db/grants.py).
    "DATABASE_APP_ROLE": env.str("MICROLEND_DATABASE_APP_ROLE", default="microlend_app"),
    # How long a request that moves money waits for a running close of business before
    # it is refused with "try again shortly" (DOMAIN.md §7).
    "CLOSE_WAIT_SECONDS": env.int("MICROLEND_CLOSE_WAIT_SECONDS", default=3),
    # The close of business: loans per chunk (one short transaction each), where chunks run
    # ("inline": one after another in the process that runs the close; "threads": over
    # CLOSE_THREADS database connections of that process, PostgreSQL only; "celery": on
    # the workers), and how long a queued chunk may stay unfinished before it is queued
    # again.
    "CLOSE_CHUNK_SIZE": env.int("MICROLEND_CLOSE_CHUNK_SIZE", default=25_000),
    "CLOSE_WORKERS": env.str("MICROLEND_CLOSE_WORKERS", default="inline"),
    "CLOSE_THREADS": env.int("MICROLEND_CLOSE_THREADS", default=2),
    "CLOSE_CHUNK_RESEND_SECONDS": env.int("MICROLEND_CLOSE_CHUNK_RESEND_SECONDS", default=120),
    # The admin's "Close business day" button: run it on a worker ("task", the page shows
    # its progress) or in the request ("inline").
    "CLOSE_FROM_ADMIN": env.str("MICROLEND_CLOSE_FROM_ADMIN", default="task"),
    # Reminders before a due date (days), and the notice before an overdue installment is
    # reported to the credit bureau (DOMAIN.md §6).
    "REMINDER_DAYS_BEFORE": env.list("MICROLEND_REMINDER_DAYS_BEFORE", cast=int, default=[3, 1]),
    "CREDIT_REPORT_NOTICE_DAYS": env.int("MICROLEND_CREDIT_REPORT_NOTICE_DAYS", default=7),
    # How text messages are sent (common.sms): the console sender prints them.
    "SMS_SENDER": env.str("MICROLEND_SMS_SENDER", default="common.sms.ConsoleSmsSender"),
    # An admin list longer than this is exported by a worker (a file to download from the
    # admin's exports when done) rather than in the request.
    "EXPORT_BACKGROUND_ROWS": env.int("MICROLEND_EXPORT_BACKGROUND_ROWS", default=5_000),
    # Background export files hold borrowers' data: they are deleted this many days after
    # they were asked for (the job's row stays, without its file).
    "EXPORT_RETENTION_DAYS": env.int("MICROLEND_EXPORT_RETENTION_DAYS", default=7),
    # The address borrowers reach the pages at, for links in e-mails.
    "SITE_URL": env.str("MICROLEND_SITE_URL", default="")
    or f"http://{env.str('MICROLEND_BIND', default='127.0.0.1:8000')}",
}

# E-mail (notices, password reset links): printed to the console unless a real backend
# and its server are configured.
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="microlend <noreply@microlend.example>"
)
# A password-reset link by e-mail is good for this long.
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_TIMEOUT", default=3600)

# One-time codes by text message (sign-up, password reset).
PHONE_CODES = {
    "LENGTH": 6,
    "TTL_SECONDS": env.int("PHONE_CODE_TTL_SECONDS", default=600),
    # Wrong tries before a code is dead.
    "MAX_ATTEMPTS": env.int("PHONE_CODE_MAX_ATTEMPTS", default=5),
    "RESEND_SECONDS": env.int("PHONE_CODE_RESEND_SECONDS", default=60),
    "MAX_PER_PHONE_PER_DAY": env.int("PHONE_CODE_MAX_PER_PHONE_PER_DAY", default=10),
    "MAX_PER_IP_PER_HOUR": env.int("PHONE_CODE_MAX_PER_IP_PER_HOUR", default=30),
}

# The face check (DOMAIN.md §4): retries, lock-out, retention, session lifetime.
FACE_CHECK = {
    # Failed attempts on one application before it is refused for this time.
    "MAX_FAILED_ATTEMPTS": env.int("FACE_CHECK_MAX_FAILED_ATTEMPTS", default=3),
    # Failures within LOCK_WINDOW_HOURS that lock a borrower's face checks for LOCK_HOURS.
    "LOCK_AFTER_FAILURES": env.int("FACE_CHECK_LOCK_AFTER_FAILURES", default=5),
    "LOCK_WINDOW_HOURS": env.int("FACE_CHECK_LOCK_WINDOW_HOURS", default=24),
    "LOCK_HOURS": env.int("FACE_CHECK_LOCK_HOURS", default=24),
    # Attempt frames are deleted this many days after the attempt.
    "FRAME_RETENTION_DAYS": env.int("FACE_CHECK_FRAME_RETENTION_DAYS", default=30),
    # A challenge (and its nonce) is good for this long.
    "SESSION_TTL_SECONDS": env.int("FACE_CHECK_SESSION_TTL_SECONDS", default=300),
    "CHALLENGE_STEPS": env.int("FACE_CHECK_CHALLENGE_STEPS", default=2),
    # Only for automated browser tests: a fixed challenge instead of a random one.
    "FIXED_CHALLENGE": env.list("FACE_CHECK_FIXED_CHALLENGE", default=[]),
    "MAX_FRAMES": 10,
    "MAX_FRAME_BYTES": 1_500_000,
}
