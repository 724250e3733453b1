"""Session setup: the real codifier and the demo are loaded once per test database."""
import os

import pytest

from hromada import testing

# Playwright's sync API leaves an asyncio loop on the worker that ran the browser tests; Django would then refuse
# ORM calls of later tests in that process as "async-unsafe". Tests are synchronous, so that check is moot here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["hromada.browser_testing"]


def pytest_collection_modifyitems(config, items):
    # All browser tests share one live server and one chromium: keep them on one xdist worker.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(autouse=True)
def _ukrainian_first():
    # Requests with an English Accept-Language leave English active in the worker's thread; every test starts in
    # the product's default language so messages do not depend on which tests ran before on that worker.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_cache_files_in_the_working_directory():
    # A file cache given no LOCATION writes into the working directory: two such files were once committed.
    yield
    stray = sorted(name for name in os.listdir() if name.endswith(".djcache"))
    assert not stray, f"this test left cache files in the working directory: {stray}"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Per-user counters (core.throttle) live in the cache; demo users keep their ids from test to test, so one
    # test's reads must not use up the next one's budget.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_audit_words_learned_from_another_test():
    # The audit append leaves the term table out once it knows a word is stored (learned on commit). A test that ran
    # its on_commit callbacks inside its own rolled-back transaction would teach the next test a word no longer there.
    from hromada.audit import services

    services.forget_stored_words()


@pytest.fixture(autouse=True)
def _eager_results_may_be_read():
    # Celery marks the process as a worker (".get() would block") once a worker pool has been set up in it; a test
    # that did so must not make a later test's eager `task.apply().get()` fail on the same xdist worker.
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        testing.ensure_demo()


@pytest.fixture
def demo(db):
    testing.ensure_demo()


def _role_fixture(name):
    @pytest.fixture
    def fixture(demo):
        return testing.user(name)
    fixture.__name__ = name
    return fixture


for _name in testing.DEMO_USERS:
    globals()[_name] = _role_fixture(_name)


@pytest.fixture
def api():
    """api(user) → a JSON API client with a bearer token for that user (None: anonymous)."""
    return testing.ApiClient
