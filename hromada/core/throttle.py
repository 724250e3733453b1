"""Per-user counters in fixed time windows, kept in the shared cache (Redis in production, so every worker
counts together; the local-memory cache of development counts per process).

``count`` only counts; what happens above a limit (refusal, alert) is the caller's rule.
"""
from __future__ import annotations

import time

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache


def window_key(kind: str, subject: object, window: int, *, now: float | None = None) -> str:
    start = int((time.time() if now is None else now) // window)
    return f"throttle:{kind}:{subject}:{window}:{start}"


def count(kind: str, subject: object, *, window: int, amount: int = 1) -> int:
    """Add ``amount`` to the subject's counter of ``kind`` in the current window; return the new total."""
    key = window_key(kind, subject, window)
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        # Every personal-data read counts here: one round trip (create the window's counter with its expiry if it is
        # new, then add), where the cache API's add + incr takes three (incr asks whether the key exists first).
        redis_key = backend.make_and_validate_key(key)
        pipe = backend._cache.get_client(redis_key, write=True).pipeline(transaction=False)
        pipe.set(redis_key, 0, ex=window + 5, nx=True)
        pipe.incrby(redis_key, amount)
        return int(pipe.execute()[1])
    cache.add(key, 0, timeout=window + 5)
    try:
        return cache.incr(key, amount)
    except ValueError:   # expired between add and incr
        cache.add(key, amount, timeout=window + 5)
        return amount


def peek(kind: str, subject: object, *, window: int) -> int:
    return cache.get(window_key(kind, subject, window), 0)


def first_time(kind: str, subject: object, *, window: int) -> bool:
    """True once per window (an alert is raised once, not on every refused request)."""
    return cache.add(window_key(f"{kind}:once", subject, window), 1, timeout=window + 5)
