"""Hromada settings, read from the environment with safe defaults.

Nothing set: SQLite under var/, local file storage, Celery eager, DEBUG off.
Production: DATABASE_URL (PostgreSQL), SECRET_KEY, ALLOWED_HOSTS, CELERY_BROKER_URL, HROMADA_S3_*.
Every variable is listed in docs/operations.md.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HROMADA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in var/ (never in the repo)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "ninja",
    "hromada.core",
    "hromada.territory",
    "hromada.offices",
    "hromada.accounts",
    "hromada.catalog",
    "hromada.persons",
    "hromada.applications",
    "hromada.backoffice",
    "hromada.billing",
    "hromada.monitoring",
    "hromada.audit",
    "hromada.children",
    "hromada.ops",
    "hromada.offline",
    "hromada.demo",
]

MIDDLEWARE = [
    "hromada.ops.middleware.RequestIdMiddleware",
    "hromada.ops.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hromada.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hromada.core.middleware.SecurityHeadersMiddleware",
    "hromada.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hromada.urls"
WSGI_APPLICATION = "hromada.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hromada.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hromada.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE avoids "database is locked"
    # surprises when two requests upgrade a read transaction to a write at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if os.environ.get("DATABASE_REPLICA_URL"):
    # A streaming replica for reads that tolerate lag (monitoring); see hromada.ops.db_router.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["hromada.ops.db_router.ReplicaRouter"]
HROMADA_REPLICA_APPS = env_list("HROMADA_REPLICA_APPS", "monitoring")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 9}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the age counts from the last request…
SESSION_ENGINE = "hromada.accounts.sessions"  # …renewed in the database at most once a minute
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hromada.accounts.lockout.lockout_response"
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "12"))
OTP_TOTP_ISSUER = "Hromada"
# Roles that must pass TOTP before they may act (issue 8); off in the embedded demo.
HROMADA_REQUIRE_2FA = env_bool("HROMADA_REQUIRE_2FA", not DEBUG and bool(os.environ.get("DATABASE_URL")))

# --- I18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Українська")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production (HROMADA_STATIC_MANIFEST=1, needs collectstatic): hashed names, cached forever by browsers.
    "staticfiles": {"BACKEND": "hromada.ops.staticfiles.ManifestStaticFilesStorage"
                    if env_bool("HROMADA_STATIC_MANIFEST", False) else "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("HROMADA_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["HROMADA_S3_BUCKET"],
            "endpoint_url": os.environ.get("HROMADA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("HROMADA_S3_REGION", "us-east-1"),
            "access_key": os.environ.get("HROMADA_S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("HROMADA_S3_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
HROMADA_MAX_UPLOAD_BYTES = int(os.environ.get("HROMADA_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
HROMADA_MAX_PDF_PAGES = int(os.environ.get("HROMADA_MAX_PDF_PAGES", "200"))

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep LOGGING (JSON, masking) in workers
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers a message a dead worker held only after the visibility timeout: keep it longer than the
# longest task (a billing run), shorter only in tests.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("HROMADA_CELERY_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": int(os.environ.get("HROMADA_CELERY_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": 1 if os.environ.get("HROMADA_CELERY_RESTORE_INTERVAL") else 10,
}
HROMADA_CELERY_QUEUES = env_list("HROMADA_CELERY_QUEUES", "celery")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Indicator aggregates for the monitoring dashboards (issue: monitoring), every 15 minutes.
    "refresh-aggregates": {"task": "hromada.monitoring.tasks.refresh_aggregates", "schedule": 15 * 60},
    "flag-overdue": {"task": "hromada.ops.tasks.flag_overdue", "schedule": 60 * 60},
    "remind-missing-documents": {"task": "hromada.ops.tasks.remind_missing_documents",
                                 "schedule": crontab(hour=7, minute=0)},
    "nightly-backup": {"task": "hromada.ops.tasks.nightly_backup", "schedule": crontab(hour=2, minute=30)},
}

# --- Notifications -------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hromada@localhost")
HROMADA_SMS_BACKEND = os.environ.get("HROMADA_SMS_BACKEND", "hromada.backoffice.sms.ConsoleSmsBackend")

# --- Security -----------------------------------------------------------------------------
# Secure cookies and HSTS whenever the site is served over HTTPS (production); the embedded
# default on http://127.0.0.1 sets HROMADA_HTTPS=0 through `make run`.
HTTPS = env_bool("HROMADA_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_SSL_REDIRECT = HTTPS and env_bool("HROMADA_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("HROMADA_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HROMADA_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-src 'self' blob:; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# --- Operations (hromada.ops) -----------------------------------------------------------------
# /metrics answers only these networks (the monitoring network); others get 404.
HROMADA_METRICS_ALLOW = env_list("HROMADA_METRICS_ALLOW", "127.0.0.1/32,::1/128")
HROMADA_LOG_FORMAT = os.environ.get("HROMADA_LOG_FORMAT", "text")  # json in production (make prod-up)
# Nightly backup (hromada.ops.tasks.nightly_backup → `manage.py backup`): where, and how many to keep.
HROMADA_BACKUP_DIR = Path(os.environ.get("HROMADA_BACKUP_DIR", VAR_DIR / "backups"))
HROMADA_BACKUP_KEEP = int(os.environ.get("HROMADA_BACKUP_KEEP", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "hromada.ops.logging.RequestIdFilter"},
        "personal_data": {"()": "hromada.ops.logging.PersonalDataFilter"},
    },
    "formatters": {
        "json": {"()": "hromada.ops.logging.JsonFormatter"},
        "text": {"()": "hromada.ops.logging.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id", "personal_data"],
                             "formatter": "json" if HROMADA_LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
AXES_VERBOSE = False
