"""Sessions read from the shared cache (Redis in production; a file cache here): no session row read on a page, and no
ended session brought back — a sign-out, a new key at sign-in, a sign-out racing a read, a restored backup."""
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hromada.accounts import sessions
from hromada.accounts.sessions import SessionStore
from hromada.core.caching import forget_every_versioned

from .conftest import FILE, signed_in, statements_reading


@pytest.fixture
def shared(settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": FILE, "LOCATION": str(tmp_path / "cache")}}


def _session_reads(client, path="/front/") -> tuple[int, int]:
    return statements_reading(client, path, 'FROM "django_session"')


def test_a_page_reads_no_session_row(shared, front):
    client = signed_in(front)
    assert _session_reads(client) == (200, 0)
    assert _session_reads(client) == (200, 0)
    # The database stays the record: the row is there, with the expiry the cache holds.
    key = client.cookies["sessionid"].value
    row = Session.objects.get(pk=key)
    assert cache.get(f"session:{key}")[2] == row.expire_date


def test_without_a_shared_cache_every_page_reads_the_row(front):
    client = signed_in(front)
    assert _session_reads(client) == (200, 1)
    assert _session_reads(client) == (200, 1)


def test_a_sign_out_ends_the_session_for_every_copy_of_its_cookie(shared, front):
    client = signed_in(front)
    assert _session_reads(client)[0] == 200
    other = Client()          # the same cookie in another tab, served by another worker
    other.cookies["sessionid"] = client.cookies["sessionid"].value
    assert other.get("/front/").status_code == 200
    assert other.post("/accounts/logout/").status_code == 302
    assert client.get("/front/").status_code == 302
    assert not Session.objects.filter(pk=client.cookies["sessionid"].value).exists()


def test_the_key_before_sign_in_is_ended(shared, front):
    client = Client()
    client.get("/accounts/login/")
    store = SessionStore()
    store["note"] = "before"
    store.create()
    before = store.session_key
    client.cookies["sessionid"] = before
    assert client.post("/accounts/login/", {"username": front.username, "password": "demo12345"}).status_code == 302
    assert client.cookies["sessionid"].value != before
    assert SessionStore(before).load() == {}


def test_a_sign_out_between_a_read_and_its_caching_is_not_undone(shared, front, monkeypatch):
    client = signed_in(front)
    key = client.cookies["sessionid"].value
    cache.delete(f"session:{key}")            # not kept yet: the next read goes to the row
    read_row = DatabaseSessionStore.load

    def read_then_signed_out(self):
        data = read_row(self)
        SessionStore(key).delete()            # the sign-out commits after this read, before its caching
        return data

    monkeypatch.setattr(DatabaseSessionStore, "load", read_then_signed_out)
    assert SessionStore(key).load()           # this read saw the row…
    monkeypatch.undo()
    assert SessionStore(key).load() == {}     # …and did not bring it back
    assert client.get("/front/").status_code == 302


def test_a_renewal_racing_the_sign_out_does_not_cover_its_mark(shared, front, monkeypatch):
    """The renewal's UPDATE commits, the sign-out deletes the row and marks it, then the renewal writes its entry."""
    client = signed_in(front)
    key = client.cookies["sessionid"].value
    renewing = SessionStore(key)
    renewing["note"] = "changed"
    write_row = DatabaseSessionStore.save

    def write_then_signed_out(self, must_create=False):
        write_row(self, must_create=must_create)
        SessionStore(key).delete()

    monkeypatch.setattr(DatabaseSessionStore, "save", write_then_signed_out)
    renewing.save()
    monkeypatch.undo()
    assert cache.get(f"session:{key}") is not None      # the renewal's entry is there…
    assert SessionStore(key).load() == {}               # …and the mark wins
    assert client.get("/front/").status_code == 302


def test_the_mark_is_written_before_the_row_is_deleted(shared, front, monkeypatch):
    client = signed_in(front)
    key = client.cookies["sessionid"].value
    seen = []
    delete_row = DatabaseSessionStore.delete

    def delete_after_looking(self, session_key=None):
        seen.append(cache.get(f"session-ended:{key}") is not None and cache.get(f"session:{key}") is None)
        delete_row(self, session_key)

    monkeypatch.setattr(DatabaseSessionStore, "delete", delete_after_looking)
    assert client.post("/accounts/logout/").status_code == 302
    assert seen == [True] and not Session.objects.filter(pk=key).exists()


def test_an_entry_lives_a_minute_at_most(shared, front):
    """What skips the mark (a host on the previous release, a failed cache write) is bounded by an entry's life."""
    assert sessions._kept_seconds(timezone.now() + timedelta(hours=8)) == sessions.KEPT_SECONDS == 60
    assert sessions._kept_seconds(timezone.now() + timedelta(seconds=20)) in (19, 20)
    assert sessions._kept_seconds(timezone.now() - timedelta(seconds=5)) == 1
    assert sessions.ENDED_SECONDS > 2 * sessions.KEPT_SECONDS


def test_a_kept_session_past_its_expiry_is_not_used(shared, front):
    client = signed_in(front)
    key = client.cookies["sessionid"].value
    version, data, _expiry = cache.get(f"session:{key}")
    cache.set(f"session:{key}", (version, data, timezone.now() - timedelta(seconds=1)), 60)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/front/").status_code == 302


def test_a_restored_backup_voids_the_kept_sessions(shared, front):
    client = signed_in(front)
    assert _session_reads(client) == (200, 0)
    Session.objects.all().delete()            # a restore: the backup holds no sessions
    forget_every_versioned()                  # restore_backup's call
    assert client.get("/front/").status_code == 302


def test_the_renewal_still_writes_at_most_once_a_minute(shared, front):
    client = signed_in(front)
    key = client.cookies["sessionid"].value
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/front/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    # Two minutes on, the expiry kept is that much older than a fresh one: renewed in the row and in the cache.
    old = timezone.now() + timedelta(seconds=client.session.get_expiry_age()) - sessions.RENEW_AFTER * 2
    version, data, _expiry = cache.get(f"session:{key}")
    cache.set(f"session:{key}", (version, data, old), 600)
    Session.objects.filter(pk=key).update(expire_date=old)
    assert client.get("/front/").status_code == 200
    assert Session.objects.get(pk=key).expire_date > old + sessions.RENEW_AFTER
    assert cache.get(f"session:{key}")[2] == Session.objects.get(pk=key).expire_date
