"""The session's user is read with its office in one statement; sessions signed in before keep working."""
import importlib

from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hromada.accounts import services
from hromada.accounts.backends import DJANGO_MODEL_BACKEND, USER_BACKEND, UserBackend
from hromada.accounts.sessions import SessionStore

moving = importlib.import_module("hromada.accounts.migrations.0006_sessions_user_backend")


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
    client = Client()
    assert client.post("/accounts/login/", {"username": back.username, "password": "demo12345"}).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == USER_BACKEND
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/back/").status_code == 200
    offices = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "offices_office"')]
    assert offices == [], offices       # joined to the user's statement
    assert any('"accounts_user"' in q["sql"] and "offices_office" in q["sql"] for q in queries.captured_queries)


def _session_of(user, backend: str) -> str:
    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), backend
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def test_sessions_signed_in_through_django_backend_are_moved_and_stay_signed_in(back, front):
    old, other = _session_of(back, DJANGO_MODEL_BACKEND), _session_of(front, "some.other.Backend")
    client = Client()
    client.cookies["sessionid"] = old
    assert client.get("/back/").status_code == 302         # a backend the settings do not name: signed out
    moving.forwards(apps, connection.schema_editor())
    assert SessionStore(old).load()[BACKEND_SESSION_KEY] == USER_BACKEND
    assert SessionStore(other).load()[BACKEND_SESSION_KEY] == "some.other.Backend"   # not ours: left as it was
    assert client.get("/back/").status_code == 200
    moving.backwards(apps, connection.schema_editor())
    assert SessionStore(old).load()[BACKEND_SESSION_KEY] == DJANGO_MODEL_BACKEND
    assert Session.objects.filter(pk__in=[old, other]).count() == 2


# --- the session's user kept in the shared cache -------------------------------------------------------------------
def _signed_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": "demo12345"}).status_code == 302
    return client


def _user_reads(client, path="/back/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, len([q for q in queries.captured_queries if '"accounts_user"."password"' in q["sql"]])


def test_the_shared_cache_serves_the_session_user(back, workers):
    client = _signed_in(back)
    workers.on("a")
    assert _user_reads(client)[0] == 200
    status, reads = _user_reads(client)
    assert status == 200 and reads == (0 if workers.shared else 1)


def test_deactivation_reaches_every_worker_at_once(back, workers):
    client = _signed_in(back)
    workers.on("a")
    assert _user_reads(client)[0] == 200
    workers.on("b")
    back.is_active = False
    back.save()
    workers.on("a")
    assert client.get("/back/").status_code == 302


def test_a_new_password_or_role_reaches_every_worker_at_once(front2, workers):
    client = _signed_in(front2)
    workers.on("a")
    assert client.get("/front/").status_code == 200
    workers.on("b")
    services.change_password(user=front2, old_password="demo12345", new_password="Zx9-long-enough")
    workers.on("a")
    assert client.get("/front/").status_code == 302        # the session's password hash no longer matches
    client = Client()
    assert client.post("/accounts/login/", {"username": front2.username, "password": "Zx9-long-enough"}
                       ).status_code == 302
    assert client.get("/front/").status_code == 200
    workers.on("b")
    front2.refresh_from_db()
    front2.role, front2.territory, front2.office = "hromada_admin", front2.office.hromada, None
    front2.save()
    workers.on("a")
    assert client.get("/front/").status_code == 403


def test_an_office_saved_reaches_its_staff_in_every_worker(back, workers):
    client = _signed_in(back)
    workers.on("a")
    assert client.get("/back/").status_code == 200
    workers.on("b")
    office = back.office
    office.name = "Сервісний центр, перейменований"
    office.save()
    workers.on("a")
    assert "Сервісний центр, перейменований" in client.get("/back/").content.decode()
