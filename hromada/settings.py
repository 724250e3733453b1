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
    "django_otp.plugins.otp_static",
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
    "hromada.notifications",
    "hromada.billing",
    "hromada.monitoring",
    "hromada.audit",
    "hromada.children",
    "hromada.social",
    "hromada.ops",
    "hromada.offline",
    "hromada.registers",
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
    "hromada.core.middleware.InputCharactersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hromada.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hromada.core.middleware.SecurityHeadersMiddleware",
    "hromada.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost, so it sees a view's exception first: the database's outage → 503 database_unavailable.
    "hromada.core.middleware.DatabaseUnavailableMiddleware",
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
# Fail fast when the database does not answer (a 503 the client retries, not a request hanging for minutes):
# DB_CONNECT_TIMEOUT bounds the connection, DB_TCP_USER_TIMEOUT_MS and DB_KEEPALIVES_IDLE a query whose server
# vanished mid-way.
# HROMADA_PGBOUNCER=1: connections go through pgbouncer in transaction pooling mode, where a server connection
# serves another client between transactions — no server-side cursors, no prepared statements.
_PG_OPTIONS: dict = {}
if os.environ.get("DB_CONNECT_TIMEOUT"):
    _PG_OPTIONS["connect_timeout"] = int(os.environ["DB_CONNECT_TIMEOUT"])
if os.environ.get("DB_TCP_USER_TIMEOUT_MS"):
    _PG_OPTIONS["tcp_user_timeout"] = int(os.environ["DB_TCP_USER_TIMEOUT_MS"])
if os.environ.get("DB_KEEPALIVES_IDLE"):
    # A request waiting for an answer over a dead link sends nothing, so only keepalives notice the silence.
    _PG_OPTIONS.update(keepalives=1, keepalives_idle=int(os.environ["DB_KEEPALIVES_IDLE"]), keepalives_interval=1,
                       keepalives_count=3)
HROMADA_PGBOUNCER = env_bool("HROMADA_PGBOUNCER", False)
# JIT off: PostgreSQL compiles a query whose estimated cost passes jit_above_cost, and for this application's queries
# the compilation costs more than it saves — 75 of the 183 ms a raion's person count took at 5 M applications
# (bench/README.md), 1.4 s of a billing run. HROMADA_PG_JIT=1 keeps the server's setting. PgBouncer refuses the
# startup option: behind it, set it on the database (ALTER DATABASE … SET jit = off; docs/operations.md).
# One generic plan for each statement prepared once per connection (``core.db.prepared``: only statements whose
# values do not skew their plan, such as a person by her РНОКПП): PostgreSQL's own choice plans such a statement
# again on every run when its generic plan is costed above the custom ones — the lookup's person rule, whose
# children part is costed though a resident never reaches it, spent 0.4 of its 2.1 ms planning (#24). Prepared
# statements are not used behind PgBouncer, where the startup option is refused.
_SESSION_SETTINGS = [] if HROMADA_PGBOUNCER else ["plan_cache_mode=force_generic_plan"]
if not env_bool("HROMADA_PG_JIT", False) and not HROMADA_PGBOUNCER:
    _SESSION_SETTINGS.append("jit=off")
if _SESSION_SETTINGS:
    _PG_OPTIONS["options"] = " ".join(f"-c {setting}" for setting in _SESSION_SETTINGS)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(_PG_OPTIONS)
    if HROMADA_PGBOUNCER:
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if os.environ.get("DATABASE_REPLICA_URL"):
    # A streaming replica for reads that tolerate lag (monitoring); see hromada.ops.db_router.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).update(_PG_OPTIONS)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["hromada.ops.db_router.ReplicaRouter"]
    # A read the replica failed is read again from the primary (GET/HEAD; outermost view wrapper, see the router).
    MIDDLEWARE.append("hromada.ops.db_router.ReplicaFallbackMiddleware")
# Bounded lag: the replica serves reads only while it is at most this many seconds behind the primary (checked at
# most every HROMADA_REPLICA_CHECK_SECONDS per process); behind more, or down, reads go to the primary.
HROMADA_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("HROMADA_REPLICA_MAX_LAG_SECONDS", "30"))
HROMADA_REPLICA_CHECK_SECONDS = float(os.environ.get("HROMADA_REPLICA_CHECK_SECONDS", "5"))
HROMADA_REPLICA_APPS = env_list("HROMADA_REPLICA_APPS", "monitoring")
# The schema owner's connection (PostgreSQL): migrate, flush, restore and setup_db_roles use it; DATABASE_URL is
# then the application's role, which may only append to the audit log (hromada.audit.roles).
DATABASE_MIGRATE_URL = os.environ.get("DATABASE_MIGRATE_URL", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    # Django's Redis cache, reusing its clients (hromada.core.caching.RedisCache).
    CACHES = {"default": {"BACKEND": "hromada.core.caching.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"],
                          # A Redis that stopped answering fails a request in seconds instead of holding its worker.
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hromada.accounts.backends.UserBackend",   # Django's model backend; the session's user read with its office
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
AXES_CLIENT_IP_CALLABLE = "hromada.audit.services.client_ip"  # the address the audit log records (proxy-aware)
# Slow-down beyond axes' username+address lock (hromada.accounts.lockout): failures of one account from all
# addresses, and accounts failed from one address (password spraying), within AXES_COOLOFF_TIME.
HROMADA_LOGIN_ACCOUNT_FAILURES = int(os.environ.get("HROMADA_LOGIN_ACCOUNT_FAILURES", "10"))
HROMADA_LOGIN_ADDRESS_ACCOUNTS = int(os.environ.get("HROMADA_LOGIN_ADDRESS_ACCOUNTS", "10"))
HROMADA_LOGIN_MAX_DELAY = int(os.environ.get("HROMADA_LOGIN_MAX_DELAY", "300"))
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "12"))
OTP_TOTP_ISSUER = "Hromada"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's (sealed) key or QR code
# Key for secrets encrypted at rest (TOTP keys, recovery-code digests): a long random string, the same on every
# host, kept with SECRET_KEY. Without it only DEBUG derives one from SECRET_KEY; production refuses to start 2FA.
HROMADA_FIELD_KEY = os.environ.get("HROMADA_FIELD_KEY", "")
HROMADA_FIELD_KEY_FROM_SECRET = DEBUG
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


def _s3_storage(bucket: str, **options) -> dict:
    """One S3 bucket through django-storages; endpoint and keys are shared by every bucket of the deployment."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("HROMADA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("HROMADA_S3_REGION", "us-east-1"),
            "access_key": os.environ.get("HROMADA_S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("HROMADA_S3_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "file_overwrite": False,
            **options,
        },
    }


if os.environ.get("HROMADA_S3_BUCKET"):
    STORAGES["default"] = _s3_storage(os.environ["HROMADA_S3_BUCKET"], querystring_auth=True)
# Signed checkpoints of the audit chain (hromada.audit.checkpoints): a store that only ever adds files, outside
# the database — write-once files locally, an S3 bucket with Object Lock in production (docs/operations.md).
STORAGES["audit_checkpoints"] = {
    "BACKEND": "hromada.audit.checkpoints.WriteOnceFileSystemStorage",
    "OPTIONS": {"location": os.environ.get("HROMADA_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints"))},
}
if os.environ.get("HROMADA_AUDIT_CHECKPOINT_BUCKET"):
    STORAGES["audit_checkpoints"] = _s3_storage(os.environ["HROMADA_AUDIT_CHECKPOINT_BUCKET"])
# The checkpoints' HMAC key; unset: derived from SECRET_KEY. Rotating it makes older checkpoints unverifiable.
HROMADA_AUDIT_CHECKPOINT_KEY = os.environ.get("HROMADA_AUDIT_CHECKPOINT_KEY", "")
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
HROMADA_MAX_UPLOAD_BYTES = int(os.environ.get("HROMADA_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
HROMADA_MAX_PDF_PAGES = int(os.environ.get("HROMADA_MAX_PDF_PAGES", "200"))
HROMADA_MAX_PDF_STREAM_BYTES = int(os.environ.get("HROMADA_MAX_PDF_STREAM_BYTES", str(256 * 1024 * 1024)))

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
# HROMADA_CELERY_ROUTE_BY_KIND=1: one queue per kind of work (docs/scaling.md) — pdf, notify, billing,
# aggregates — so workers sized for each consume only theirs; off, everything goes to the default "celery" queue.
if env_bool("HROMADA_CELERY_ROUTE_BY_KIND", False):
    CELERY_TASK_ROUTES = {
        "applications.render_receipt": {"queue": "pdf"},
        "notifications.*": {"queue": "notify"},
        "hromada.billing.*": {"queue": "billing"},
        "hromada.monitoring.*": {"queue": "aggregates"},
        "hromada.ops.tasks.*": {"queue": "aggregates"},
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Indicator aggregates for the monitoring dashboards (issue: monitoring), every 15 minutes.
    "refresh-aggregates": {"task": "hromada.monitoring.tasks.refresh_aggregates", "schedule": 15 * 60},
    "flag-overdue": {"task": "hromada.ops.tasks.flag_overdue", "schedule": 60 * 60},
    "remind-missing-documents": {"task": "hromada.ops.tasks.remind_missing_documents",
                                 "schedule": crontab(hour=7, minute=0)},
    # Residents: documents due in 3 days, decision deadline passed (issue 19), in the morning.
    "notify-documents-due": {"task": "notifications.documents_due", "schedule": crontab(hour=9, minute=0)},
    "notify-deadline-passed": {"task": "notifications.deadline_passed", "schedule": crontab(hour=9, minute=15)},
    "nightly-backup": {"task": "hromada.ops.tasks.nightly_backup", "schedule": crontab(hour=2, minute=30)},
    # A signed checkpoint of the audit chain's head outside the database (issue 16, point 12).
    "audit-checkpoint": {"task": "hromada.ops.tasks.audit_checkpoint",
                         "schedule": 60 * int(os.environ.get("HROMADA_AUDIT_CHECKPOINT_MINUTES", "60"))},
    "sweep-orphan-files": {"task": "hromada.ops.tasks.sweep_orphan_files", "schedule": crontab(hour=3, minute=15)},
    "purge-status-looks": {"task": "notifications.purge_status_looks", "schedule": crontab(hour=3, minute=30)},
    "purge-early-reports": {"task": "notifications.purge_early_reports", "schedule": crontab(hour=3, minute=35)},
    # A person's raion is her settlement's (#24): repairs what the services did not write (a release rolling out).
    "persons-follow-raions": {"task": "persons.follow_settlement_raions", "schedule": crontab(hour=3, minute=40)},
    # Monthly partitions of the append-only tables kept 3 months ahead (issue 24, point 3; docs/scaling.md).
    "ensure-partitions": {"task": "hromada.ops.tasks.ensure_partitions", "schedule": crontab(hour=3, minute=45)},
    # State registers over Трембіта (issue 21): checks left unavailable are retried; new births become offers.
    "registers-retry-unavailable": {"task": "registers.retry_unavailable", "schedule": 60},
    "registers-poll-births": {"task": "registers.poll_births", "schedule": 5 * 60},
    # The chain's verification state the audit log page shows (issue 23, point 4), hourly at :40.
    "verify-audit-chain": {"task": "hromada.audit.tasks.verify_chain", "schedule": crontab(minute=40)},
    # Work requests could not queue while the broker was down: receipts, notifications, register checks, billing runs.
    "queue-stranded-work": {"task": "hromada.ops.tasks.queue_stranded_work",
                            "schedule": int(os.environ.get("HROMADA_STRANDED_SWEEP_SECONDS", "300"))},
}
HROMADA_STRANDED_SWEEP_MIN_AGE_SECONDS = int(os.environ.get("HROMADA_STRANDED_SWEEP_MIN_AGE_SECONDS", "120"))

# --- State registers over Трембіта (X-Road) -------------------------------------------------
# hromada.registers, docs/integrations.md. No URL: the checks say the registers are not configured — there is no
# default endpoint. HROMADA_TREMBITA_URL is the own security server (or the register simulator in development:
# then HROMADA_TREMBITA_SIMULATOR=1 labels every result "тестовий реєстр").
HROMADA_TREMBITA_URL = os.environ.get("HROMADA_TREMBITA_URL", "")
HROMADA_TREMBITA_SIMULATOR = env_bool("HROMADA_TREMBITA_SIMULATOR", False)
# Our subsystem: INSTANCE/CLASS/MEMBER_CODE/SUBSYSTEM, e.g. UA/GOV/12345678/HROMADA (granted with the access).
HROMADA_TREMBITA_CLIENT = os.environ.get("HROMADA_TREMBITA_CLIENT", "")
# Each register's subsystem (INSTANCE/CLASS/MEMBER_CODE/SUBSYSTEM); empty: registers.xroad.DEFAULT_SERVICES.
HROMADA_TREMBITA_SERVICES = {r: os.environ.get(f"HROMADA_TREMBITA_SERVICE_{r.upper()}", "")
                             for r in ("civil", "tax", "pension", "idp", "identity")}
HROMADA_TREMBITA_CA_BUNDLE = os.environ.get("HROMADA_TREMBITA_CA_BUNDLE", "")   # PEM file; empty: certifi's
HROMADA_TREMBITA_CONNECT_TIMEOUT = float(os.environ.get("HROMADA_TREMBITA_CONNECT_TIMEOUT", "5"))
HROMADA_TREMBITA_TIMEOUT = float(os.environ.get("HROMADA_TREMBITA_TIMEOUT", "20"))
HROMADA_TREMBITA_RETRIES = int(os.environ.get("HROMADA_TREMBITA_RETRIES", "2"))         # at once, transient only
HROMADA_TREMBITA_RETRY_DELAY = float(os.environ.get("HROMADA_TREMBITA_RETRY_DELAY", "0.5"))
HROMADA_TREMBITA_BREAKER_FAILURES = int(os.environ.get("HROMADA_TREMBITA_BREAKER_FAILURES", "5"))
HROMADA_TREMBITA_BREAKER_SECONDS = int(os.environ.get("HROMADA_TREMBITA_BREAKER_SECONDS", "60"))
# An unavailable check is tried again later (Celery), with back-off, at most this many times.
HROMADA_TREMBITA_LATER_ATTEMPTS = int(os.environ.get("HROMADA_TREMBITA_LATER_ATTEMPTS", "12"))
HROMADA_TREMBITA_LATER_BASE_SECONDS = int(os.environ.get("HROMADA_TREMBITA_LATER_BASE_SECONDS", "60"))

# --- Notifications -------------------------------------------------------------------------
# Residents are told by e-mail (SMTP) and SMS (an HTTP JSON gateway), see hromada.notifications and the
# "Сповіщення заявників" section of docs/operations.md. The console backends are for development only: without a
# configured channel a notification is recorded as not sent, with the reason — never as sent.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)               # implicit TLS (port 465)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)   # STARTTLS (port 587)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend" if DEBUG
    else "hromada.notifications.channels.UnconfiguredEmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hromada@localhost")
HROMADA_SMS_GATEWAY_URL = os.environ.get("HROMADA_SMS_GATEWAY_URL", "")
HROMADA_SMS_GATEWAY_TOKEN = os.environ.get("HROMADA_SMS_GATEWAY_TOKEN", "")
HROMADA_SMS_SENDER = os.environ.get("HROMADA_SMS_SENDER", "Hromada")
HROMADA_SMS_TIMEOUT = float(os.environ.get("HROMADA_SMS_TIMEOUT", "10"))
# The shared secret the gateway sends with delivery reports (unset: reports are refused).
HROMADA_SMS_REPORT_SECRET = os.environ.get("HROMADA_SMS_REPORT_SECRET", "")
HROMADA_SMS_BACKEND = os.environ.get("HROMADA_SMS_BACKEND") or (
    "hromada.notifications.channels.HttpJsonGateway" if HROMADA_SMS_GATEWAY_URL
    else "hromada.notifications.channels.ConsoleSms" if DEBUG else "")
HROMADA_NOTIFY_MAX_RETRIES = int(os.environ.get("HROMADA_NOTIFY_MAX_RETRIES", "5"))
HROMADA_NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("HROMADA_NOTIFY_RETRY_BASE_SECONDS", "30"))
HROMADA_NOTIFY_RETRY_MAX_SECONDS = int(os.environ.get("HROMADA_NOTIFY_RETRY_MAX_SECONDS", "3600"))
# The site's address as residents reach it: the receipt's QR code and the SMS report URL are built from it.
HROMADA_PUBLIC_URL = os.environ.get("HROMADA_PUBLIC_URL") or (
    f"https://{ALLOWED_HOSTS[0]}" if not DEBUG and ALLOWED_HOSTS and ALLOWED_HOSTS[0] not in ("127.0.0.1", "localhost")
    else "http://127.0.0.1:8000")
# Public status page: at most this many failed looks from one address within the window, then 429.
HROMADA_STATUS_CHECK_LIMIT = int(os.environ.get("HROMADA_STATUS_CHECK_LIMIT", "10"))
HROMADA_STATUS_CHECK_WINDOW_MINUTES = int(os.environ.get("HROMADA_STATUS_CHECK_WINDOW_MINUTES", "15"))
# Looks at the status page (number, time, address) are deleted after this many days (nightly task).
HROMADA_STATUS_LOOK_RETENTION_DAYS = int(os.environ.get("HROMADA_STATUS_LOOK_RETENTION_DAYS", "90"))

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
# Cases the offline desk has sent stay listed in the browser (with their number) this long, then are deleted.
HROMADA_OFFLINE_SENT_RETENTION_HOURS = float(os.environ.get("HROMADA_OFFLINE_SENT_RETENTION_HOURS", "72"))
HROMADA_LOG_FORMAT = os.environ.get("HROMADA_LOG_FORMAT", "text")  # json in production (make prod-up)
# Nightly backup (hromada.ops.tasks.nightly_backup → `manage.py backup`): where, and how many to keep.
HROMADA_BACKUP_DIR = Path(os.environ.get("HROMADA_BACKUP_DIR", VAR_DIR / "backups"))
HROMADA_BACKUP_KEEP = int(os.environ.get("HROMADA_BACKUP_KEEP", "7"))
# Every backup part is encrypted with this key (32 random bytes, base64url: `manage.py backup --generate-key`);
# without it no backup is written. Keep it apart from the backups (a secrets store), or they cannot be restored.
HROMADA_BACKUP_KEY = os.environ.get("HROMADA_BACKUP_KEY", "")

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
