"""Each "worker" is a separate cache instance, as each gunicorn process has its own: local-memory caches are per
process, a shared backend (Redis in production; a file cache here) is one store seen by all."""
import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hromada.accounts import services
from hromada.core.caching import PROCESS_LOCAL_CACHES

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
FILE = "django.core.cache.backends.filebased.FileBasedCache"


class Workers:
    """Switches which worker's cache the code in this process uses."""

    def __init__(self, monkeypatch, settings, backend, make, location):
        settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
        self.monkeypatch, self.caches = monkeypatch, {"a": make("a"), "b": make("b")}
        self.shared = backend not in PROCESS_LOCAL_CACHES

    def on(self, name):
        self.monkeypatch.setattr(services, "cache", self.caches[name])


@pytest.fixture(params=["local memory", "shared"])
def workers(request, monkeypatch, settings, tmp_path):
    if request.param == "local memory":
        return Workers(monkeypatch, settings, LOCMEM, lambda name: LocMemCache(f"worker-{name}", {}), "workers")
    # The default cache's files under tmp_path too (without a LOCATION they would land in the working directory).
    return Workers(monkeypatch, settings, FILE, lambda name: FileBasedCache(str(tmp_path / "cache"), {}),
                   str(tmp_path / "cache"))


DEMO_PASSWORD = "demo12345"   # the demo accounts' (hromada.demo)


def signed_in(user, password: str = DEMO_PASSWORD) -> Client:
    """A browser signed in through the login form."""
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": password}).status_code == 302
    return client


def statements_reading(client: Client, path: str, marker: str) -> tuple[int, int]:
    """The page's status and how many of its statements hold ``marker`` (a table, a column)."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, len([q for q in queries.captured_queries if marker in q["sql"]])
