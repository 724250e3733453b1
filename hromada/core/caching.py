"""The cache every worker process shares — or None, where there is none.

What is cached for a decision about access (a token's user, the hromadas a back office serves) must be forgotten in
every worker at once when it changes. A per-process cache (local memory, the default without REDIS_URL; the dummy
cache) cannot do that: what one worker forgets, the others would keep. Such values are then not cached at all.
"""
from __future__ import annotations

from django.conf import settings
from django.core.cache import BaseCache, cache

PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def shared_cache() -> BaseCache | None:
    """The default cache if every worker process sees the same one (Redis in production), else None."""
    if settings.CACHES.get("default", {}).get("BACKEND") in PROCESS_LOCAL_CACHES:
        return None
    return cache
