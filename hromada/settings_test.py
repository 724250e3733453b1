"""Test settings: production settings, served over plain http by the test client.

Only the HTTPS-only switches differ; `check --deploy` is tested against hromada.settings itself.
"""
import tempfile

from .settings import *  # noqa: F403

HTTPS = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = False
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Audit checkpoints of a test database belong to that run alone (never the development database's).
STORAGES["audit_checkpoints"]["OPTIONS"] = {"location": tempfile.mkdtemp(prefix="hromada-test-checkpoints-")}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HROMADA_REQUIRE_2FA = False
HROMADA_FIELD_KEY_FROM_SECRET = True  # tests only; production sets HROMADA_FIELD_KEY
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
