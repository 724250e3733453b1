"""The per-user counters behave the same on the shared Redis cache (one round trip per count) as on any other."""
import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from hromada.core import throttle


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS = {"default": {"BACKEND": "hromada.core.caching.RedisCache",
                     "LOCATION": "redis://127.0.0.1:6379/9", "KEY_PREFIX": "throttle-test"}}
LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-test"}}


def _sequence():
    caches["default"].clear()
    seen = [throttle.count("read", 7, window=300), throttle.count("read", 7, window=300),
            throttle.count("read", 7, window=300, amount=3), throttle.peek("read", 7, window=300),
            throttle.count("read", 8, window=300), throttle.count("read", 7, window=60),
            throttle.first_time("read", 7, window=300), throttle.first_time("read", 7, window=300)]
    return seen


@pytest.mark.skipif(not _redis_answers(), reason="needs the Redis server of production (127.0.0.1:6379)")
def test_counts_on_redis_as_on_the_local_cache():
    with override_settings(CACHES=LOCAL):
        local = _sequence()
    with override_settings(CACHES=REDIS):
        shared = _sequence()
        backend = caches["default"]
        key = backend.make_and_validate_key(throttle.window_key("read", 7, 300))
        ttl = backend._cache.get_client(key).ttl(key)
        backend.clear()
    assert local == shared == [1, 2, 5, 5, 1, 1, True, False]
    assert 0 < ttl <= 305   # the window's counter expires with the window
