"""Production's Redis cache (``hromada.core.caching.RedisCache``): Django's, with its Redis clients made once."""
import threading

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from hromada.core.caching import shared_cache


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS = {"default": {"BACKEND": "hromada.core.caching.RedisCache", "LOCATION": "redis://127.0.0.1:6379/9",
                     "KEY_PREFIX": "caching-test"}}
# Only the tests of the Redis backend need the server; the versioned answers are tested on a file cache.
needs_redis = pytest.mark.skipif(not _redis_answers(), reason="needs the Redis server of production (127.0.0.1:6379)")


@needs_redis
def test_one_client_per_pool_made_once():
    with override_settings(CACHES=REDIS):
        backend = caches["default"]
        client = backend._cache.get_client(write=True)
        # Django's own backend makes a new redis.Redis on every call; ours keeps it.
        assert backend._cache.get_client(write=True) is client
        assert backend._cache.get_client("any-key") is client     # one server: reads and writes share the pool
        assert client.connection_pool is backend._cache._get_connection_pool(True)
        assert shared_cache() is not None


@needs_redis
def test_behaves_as_django_redis_cache_from_many_threads():
    with override_settings(CACHES=REDIS):
        caches["default"].clear()
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                cache = caches["default"]
                for i in range(50):
                    cache.set(f"k{n}:{i}", {"n": n, "i": i}, 30)
                    assert cache.get(f"k{n}:{i}") == {"n": n, "i": i}
                    cache.add(f"c{n}", 0, 30)
                    cache.incr(f"c{n}")
                assert cache.get_many([f"k{n}:0", f"k{n}:49"]) == {f"k{n}:0": {"n": n, "i": 0},
                                                                     f"k{n}:49": {"n": n, "i": 49}}
            except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert [caches["default"].get(f"c{n}") for n in range(6)] == [50] * 6
        caches["default"].clear()


FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


def test_versioned_answers_are_kept_until_forgotten(settings, tmp_path, django_capture_on_commit_callbacks, db):
    from hromada.core.caching import Versioned

    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path / "cache")}}
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    answers: Versioned[int] = Versioned("test:version", 60)
    assert answers.get("test:a", compute) == 1
    assert answers.get("test:a", compute) == 1          # cached
    with django_capture_on_commit_callbacks(execute=True):
        answers.forget()
    assert answers.get("test:a", compute) == 2          # a new version: computed again
    # A reader that computed before a change and stores its answer after it: stored under the old version, not used.
    from django.core.cache import cache
    stale_version = cache.get("test:version")
    answers.forget()
    cache.set("test:a", (stale_version, 99), 60)
    assert answers.get("test:a", compute) == 3
    # An emptied cache: a new version, nothing kept from before matches it.
    cache.set("test:a", (None, 98), 60)
    cache.delete("test:version")
    assert answers.get("test:a", compute) == 4


def test_versioned_answers_are_not_kept_in_a_per_process_cache(settings):
    from hromada.core.caching import Versioned

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "v-test"}}
    calls: list[int] = []
    answers: Versioned[int] = Versioned("test:version", 60)
    assert [answers.get("test:a", lambda: calls.append(1) or len(calls)) for _ in range(3)] == [1, 2, 3]


def test_every_versioned_answer_of_the_product_is_voided_at_once(settings, tmp_path, db):
    """A restored backup replaces the database under the shared cache (audit.backup.restore_backup): the served
    hromadas, the routes, the days off and the queue's lists must all be computed again."""
    from django.core.cache import cache

    from hromada.backoffice.selectors import QUEUE_LISTS_VERSION_KEY
    from hromada.catalog.calendar import DAYS_OFF_VERSION_KEY
    from hromada.core.caching import forget_every_versioned
    from hromada.offices.selectors import SERVING_VERSION_KEY

    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path / "cache")}}
    keys = [SERVING_VERSION_KEY, DAYS_OFF_VERSION_KEY, QUEUE_LISTS_VERSION_KEY]
    cache.set_many({key: "before the restore" for key in keys}, None)
    forget_every_versioned()
    assert all(version not in (None, "before the restore") for version in cache.get_many(keys).values())
    assert len(cache.get_many(keys)) == len(keys)
