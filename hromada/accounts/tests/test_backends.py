"""The session's user is read with its office in one statement, and kept a minute in the shared cache; a session row
still names Django's backend, so hosts on the previous release read it."""
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hromada.accounts import services
from hromada.accounts.backends import UserBackend
from hromada.accounts.sessions import BACKEND, STORED_BACKEND, SessionStore

from .conftest import signed_in, statements_reading


def test_the_session_user_comes_with_office_hromada_and_territory(front, oblast, django_assert_num_queries):
    office, hromada, oblast_name = front.office.name, front.office.hromada.name, oblast.territory.name
    with django_assert_num_queries(1):
        user = UserBackend().get_user(front.pk)
        assert (user.office.name, user.office.hromada.name, user.territory) == (office, hromada, None)
    with django_assert_num_queries(1):
        assert UserBackend().get_user(oblast.pk).territory.name == oblast_name


def test_an_inactive_or_unknown_user_has_no_session(back):
    back.is_active = False
    back.save(update_fields=["is_active"])
    assert UserBackend().get_user(back.pk) is None
    assert UserBackend().get_user(10**9) is None


def test_a_signed_in_page_reads_the_office_once(back):
    client = signed_in(back)
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/back/").status_code == 200
    offices = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "offices_office"')]
    assert offices == [], offices       # joined to the user's statement
    assert any('"accounts_user"' in q["sql"] and "offices_office" in q["sql"] for q in queries.captured_queries)


def test_the_row_names_djangos_backend_which_the_previous_release_reads(back):
    """A rolling upgrade: a host still on the previous release (Django's database store, Django's backend) serves a
    session signed in on an upgraded one, and the other way round."""
    client = signed_in(back)
    key = client.cookies["sessionid"].value
    row = Session.objects.get(pk=key)
    assert DatabaseSessionStore().decode(row.session_data)[BACKEND_SESSION_KEY] == STORED_BACKEND
    assert SessionStore(key).load()[BACKEND_SESSION_KEY] == BACKEND
    assert client.get("/back/").status_code == 200
    # Signed in on the previous release (its store writes what it was given): read here as ours.
    old = DatabaseSessionStore()
    old[SESSION_KEY], old[BACKEND_SESSION_KEY] = str(back.pk), STORED_BACKEND
    old["_auth_user_hash"] = back.get_session_auth_hash()
    old.create()
    other = Client()
    other.cookies["sessionid"] = old.session_key
    assert other.get("/back/").status_code == 200


# --- the session's user kept in the shared cache -------------------------------------------------------------------
def _user_reads(client, path="/back/") -> tuple[int, int]:
    return statements_reading(client, path, '"accounts_user"."password"')


def test_the_shared_cache_serves_the_session_user(back, workers):
    client = signed_in(back)
    workers.on("a")
    assert _user_reads(client)[0] == 200
    status, reads = _user_reads(client)
    assert status == 200 and reads == (0 if workers.shared else 1)


def test_deactivation_reaches_every_worker_at_once(back, workers):
    client = signed_in(back)
    workers.on("a")
    assert _user_reads(client)[0] == 200
    workers.on("b")
    back.is_active = False
    back.save()
    workers.on("a")
    assert client.get("/back/").status_code == 302


def test_a_new_password_or_role_reaches_every_worker_at_once(front2, workers):
    client = signed_in(front2)
    workers.on("a")
    assert client.get("/front/").status_code == 200
    workers.on("b")
    services.change_password(user=front2, old_password="demo12345", new_password="Zx9-long-enough")
    workers.on("a")
    assert client.get("/front/").status_code == 302        # the session's password hash no longer matches
    client = signed_in(front2, "Zx9-long-enough")
    assert client.get("/front/").status_code == 200
    workers.on("b")
    front2.refresh_from_db()
    front2.role, front2.territory, front2.office = "hromada_admin", front2.office.hromada, None
    front2.save()
    workers.on("a")
    assert client.get("/front/").status_code == 403


def test_an_office_saved_reaches_its_staff_in_every_worker(back, workers):
    client = signed_in(back)
    workers.on("a")
    assert client.get("/back/").status_code == 200
    workers.on("b")
    office = back.office
    office.name = "Сервісний центр, перейменований"
    office.save()
    workers.on("a")
    assert "Сервісний центр, перейменований" in client.get("/back/").content.decode()
