"""Each "worker" is a separate cache instance, as each gunicorn process has its own: local-memory caches are per
process, a shared backend (Redis in production; a file cache here) is one store seen by all."""
import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache

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
