"""The cache every worker process shares — or None, where there is none.

What is cached for a decision about access (a token's user, the hromadas a back office serves) must be forgotten in
every worker at once when it changes. A per-process cache (local memory, the default without REDIS_URL; the dummy
cache) cannot do that: what one worker forgets, the others would keep. Such values are then not cached at all.
The same holds for what decides a legal term (the days off): ``Versioned`` caches such answers in the shared cache only.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar
from uuid import uuid4

from django.conf import settings
from django.core.cache import BaseCache, cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import transaction

T = TypeVar("T")

PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def shared_cache() -> BaseCache | None:
    """The default cache if every worker process sees the same one (Redis in production), else None."""
    if settings.CACHES.get("default", {}).get("BACKEND") in PROCESS_LOCAL_CACHES:
        return None
    return cache


class Versioned(Generic[T]):
    """Answers cached in the shared cache under a version that every change replaces (``forget``): an answer cached
    under another version is never used, so a reader that computed the old answer while a change committed cannot
    bring it back. Where no cache is shared by every worker, nothing is cached: ``get`` computes every time."""

    def __init__(self, version_key: str, seconds: int) -> None:
        self.version_key, self.seconds = version_key, seconds
        _EVERY_VERSIONED.append(self)

    def get(self, key: str, compute: Callable[[], T]) -> T:
        cache = shared_cache()
        if cache is None:
            return compute()
        got = cache.get_many([self.version_key, key])
        version = self.version_in(cache, got)
        cached = got.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        value = compute()
        cache.set(key, (version, value), self.seconds)
        return value

    def version_in(self, cache: BaseCache, got: dict[str, Any]) -> str:
        """The current version, as read in ``got`` (a ``get_many`` that asked for ``version_key`` beside the answer;
        ``{}``: read it now); with none (a cold or emptied cache) a new one, so that no answer kept from before can
        match it."""
        version = got.get(self.version_key) if got else cache.get(self.version_key)
        if version is None:
            cache.add(self.version_key, uuid4().hex, None)
            version = cache.get(self.version_key)
        return str(version)

    def forget(self, **_signal_args: object) -> None:
        """Every cached answer is void — at once (this transaction's own reads) and again once it commits (a reader in
        between may have cached the old answer)."""
        def new_version() -> None:
            cache = shared_cache()
            if cache is not None:
                cache.set(self.version_key, uuid4().hex, None)
        new_version()
        transaction.on_commit(new_version)


_EVERY_VERSIONED: list[Versioned[Any]] = []


def forget_every_versioned() -> None:
    """Void every ``Versioned`` answer at once: the database was replaced under them (a backup restored), and the
    shared cache outlives it."""
    for versioned in _EVERY_VERSIONED:
        versioned.forget()


class _ReusedClients(RedisCacheClient):
    """Django's Redis client with one ``redis.Redis`` per connection pool, made once.

    Django makes a new ``redis.Redis`` on every cache call; building one copies its ~170 reply handlers (0.19 ms
    here, more than a GET to a local Redis takes), and every request makes several (the token, the read limit, a
    back office's scope). A ``redis.Redis`` holds no connection of its own — it borrows one from the pool per
    command — so one per pool serves every call; Django already keeps a cache backend per thread. It uses Django's own
    (private) pool helpers of 5.2; hromada/core/tests/test_caching.py fails if an upgrade changes them.
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
