"""Issue 16, #8: a revoked token, a changed password or a deactivated user is refused at once by every worker.

Each "worker" is a separate cache instance, as each gunicorn process has its own: local-memory caches are
per process, a shared backend (Redis in production; a file cache here) is one store seen by all."""
import secrets
from datetime import timedelta

from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hromada.accounts import services
from hromada.accounts.models import ApiToken
from hromada.core.caching import PROCESS_LOCAL_CACHES

from .conftest import FILE, Workers


def _token(user) -> tuple[ApiToken, dict]:
    raw = "hm_" + secrets.token_urlsafe(24)
    token = ApiToken.objects.create(user=user, name="w", prefix=raw[:12], key_hash=ApiToken.hash(raw),
                                    expires_at=timezone.now() + timedelta(hours=1))
    return token, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _me(auth):
    return Client().get("/api/v1/auth/me", **auth).status_code


def test_revocation_reaches_every_worker(front, workers):
    token, auth = _token(front)
    workers.on("a")
    assert _me(auth) == 200 and _me(auth) == 200
    workers.on("b")
    services.revoke_own_token(user=front, token_id=token.pk)
    workers.on("a")
    assert _me(auth) == 401


def test_password_change_reaches_every_worker(front2, workers):
    _token_obj, auth = _token(front2)
    workers.on("a")
    assert _me(auth) == 200
    workers.on("b")
    services.change_password(user=front2, old_password="demo12345", new_password="Zx9-long-enough")
    workers.on("a")
    assert _me(auth) == 401


def test_deactivation_reaches_every_worker(back, workers):
    _token_obj, auth = _token(back)
    workers.on("a")
    assert _me(auth) == 200
    workers.on("b")
    back.is_active = False
    back.save()
    workers.on("a")
    assert _me(auth) == 401


def test_shared_cache_serves_repeated_lookups(front, monkeypatch, settings, tmp_path):
    workers = Workers(monkeypatch, settings, FILE, lambda name: FileBasedCache(str(tmp_path / "c"), {}),
                      str(tmp_path / "c"))
    _token_obj, auth = _token(front)
    workers.on("a")
    assert _me(auth) == 200
    workers.on("b")
    with CaptureQueriesContext(connection) as queries:
        assert _me(auth) == 200
    assert not [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]


def test_production_settings_share_the_token_cache(monkeypatch):
    """With REDIS_URL (production), the cache is Redis, shared by every worker and host."""
    import importlib

    import hromada.settings as production

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        reloaded = importlib.reload(production)
        assert reloaded.CACHES["default"]["BACKEND"] == "hromada.core.caching.RedisCache"
        assert reloaded.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL_CACHES
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(production)
