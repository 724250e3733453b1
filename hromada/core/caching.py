"""The cache every worker process shares — or None, where there is none.

What is cached for a decision about access (a token's user, the hromadas a back office serves) must be forgotten in
every worker at once when it changes. A per-process cache (local memory, the default without REDIS_URL; the dummy
cache) cannot do that: what one worker forgets, the others would keep. Such values are then not cached at all.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def shared_cache() -> BaseCache | None:
    """The default cache if every worker process sees the same one (Redis in production), else None."""
    if settings.CACHES.get("default", {}).get("BACKEND") in PROCESS_LOCAL_CACHES:
        return None
    return cache


class _ReusedClients(RedisCacheClient):
    """Django's Redis client with one ``redis.Redis`` per connection pool, made once.

    Django makes a new ``redis.Redis`` on every cache call; building one copies its ~170 reply handlers (0.19 ms
    here, more than a GET to a local Redis takes), and every request makes several (the token, the read limit, a
    back office's scope). A ``redis.Redis`` holds no connection of its own — it borrows one from the pool per
    command — so one per pool serves every call; Django already keeps a cache backend per thread.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that reuses its Redis clients (``_ReusedClients``)."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients
