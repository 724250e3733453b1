"""Round trips of the write path are pinned (#24): the one-request intake and the six-request flow.

Counted as in ``test_query_counts``: every statement the request sends (the token check included), after a
warm-up request. Each request in production is its own transaction; the test's requests share the test's
transaction, so before each measured request the audit chain's "held by this transaction" marker is dropped
(``_as_new_transaction``) — the count then includes the chain head's lock (on PostgreSQL part of the entries'
append, on SQLite a SELECT of its own) as production sends it. The outermost
transaction of a request shows here as SAVEPOINT/RELEASE (production: BEGIN/COMMIT, not captured): same count.

The cache is configured as in production: shared between worker processes (Redis there; a file cache here, which
``accounts.services`` treats as shared too and which needs no service), so the API token is checked by the cache,
not the database. With a process-local cache (LocMem, the development default) the token check is a database
statement on every request: the flow is counted that way too, pinned separately (``*_LOCAL_CACHE``).

A change that saves round trips lowers the pin in the same commit.
"""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hromada.accounts import services as account_services
from hromada.accounts.models import ApiToken
from hromada.audit.models import AuditEntry
from hromada.audit.services import _Appended, _Held
from hromada.demo.dataset import make_rnokpp
from hromada.offline.tests.test_sync import BIRTH, files, payload, png

pytestmark = pytest.mark.django_db

# Measured with the shared cache (what each statement is: bench/README.md, "The write path"); a process-local cache
# adds the token's check to each request (+1 each) and the days off to those that compute the case's terms (they are
# cached only where the cache is shared: catalog.calendar), asserted below.
ONE_REQUEST_MAX = {"sqlite": 18, "postgresql": 16}
# The six requests (person, case, three scans, submission): SQLite 7 + 12 + 7 × 3 + 11 = 51; PostgreSQL
# 5 + 9 + 5 × 3 + 9 = 38 (one statement locks the audit chain head, inserts the entries and moves the head, where
# SQLite sends three; the participants ride with their access grant, where SQLite sends two).
SIX_REQUESTS_MAX = {"sqlite": 51, "postgresql": 38}
SIX_REQUESTS_MAX_LOCAL_CACHE = {"sqlite": 59, "postgresql": 46}
# The requests of the six that compute the case's terms (its creation and its submission): they read the days off.
TERMS_COMPUTED = (1, 5)


def _as_new_transaction():
    connection.run_on_commit[:] = [c for c in connection.run_on_commit if not isinstance(c[1], _Held | _Appended)]


@pytest.fixture(autouse=True)
def _token_steady(monkeypatch):
    """The token's cache entry outlives a slow run (it lasts a minute in production)."""
    monkeypatch.setattr(account_services, "TOKEN_CACHE_SECONDS", 3600)


def _token_just_used(user):
    """The token's last use was just recorded: its once-a-minute UPDATE is not due during the counted requests."""
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now())


def _shared_cache(tmp_path):
    """Production's kind of cache: shared between processes (see the module docstring)."""
    return override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                                 "LOCATION": str(tmp_path / "cache")}})


def _intake_form(front, key, serial, color, last):
    return {"client_key": key, "payload": json.dumps(payload(make_rnokpp(BIRTH, "F", serial), doc=f"{serial:09d}",
                                                             last=last)),
            "author_id": front.pk, "desk_id": front.office_id, **files(color)}


def _intake(client, front, key, serial, color, last):
    _as_new_transaction()
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        res = client.post("offline/intake", _intake_form(front, key, serial, color, last), files={})
    assert res.status_code == 200 and res.json()["status"] == "submitted", res.content
    # The six audit entries of the intake (person, case, three scans, submission) in ONE statement.
    assert AuditEntry.objects.count() == entries + 6
    return [q["sql"] for q in ctx.captured_queries]


def test_one_request_intake_round_trips(front, api, tmp_path):
    client = api(front)
    with _shared_cache(tmp_path):
        assert client.post("offline/intake", _intake_form(front, "warm", 901, (5, 6, 7), "Теплюк"),
                           files={}).status_code == 200
        sql = _intake(client, front, "pinned", 902, (8, 9, 10), "Заїченко")
    assert sum('INSERT INTO "audit_auditentry"' in s for s in sql) == 1
    # No savepoint but the request's own transaction (shown as one SAVEPOINT here, see the module docstring).
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    # The case is read once: created, then handed on (the state machine's lock is the one read).
    assert sum(s.startswith('SELECT "applications_application"') for s in sql) <= 1
    assert len(sql) <= ONE_REQUEST_MAX[connection.vendor], "\n".join(sql)
    # A process-local cache: the same request plus the token's check and the days off (one SELECT each), nothing else.
    _token_just_used(front)
    local = _intake(client, front, "local", 905, (11, 12, 13), "Локальна")
    assert len(local) == len(sql) + 2, "\n".join(local)
    extra = [s for s in local if 'FROM "accounts_apitoken"' in s or 'FROM "catalog_holiday"' in s]
    assert len(extra) == 2 and not [s for s in sql if 'FROM "accounts_apitoken"' in s or 'FROM "catalog_holiday"' in s]


def _six_requests(client, serial):
    counts = []

    def step(method, path, data=None, **kw):
        _as_new_transaction()
        with CaptureQueriesContext(connection) as ctx:
            res = getattr(client, method)(path, data, **kw)
        counts.append(len(ctx.captured_queries))
        assert res.status_code in (200, 201), res.content
        return res.json()

    born = BIRTH
    person = step("post", "persons", {
        "last_name": "Шестизапитна", "first_name": "Олена", "patronymic": "Петрівна",
        "birth_date": born.isoformat(), "sex": "F", "rnokpp": make_rnokpp(born, "F", serial),
        "confirm_not_duplicate": True, "id_document": {"type": "id_card", "number": f"{serial:09d}"}})
    app = step("post", "applications", {"service_code": "birth_assistance", "applicant_id": person["id"],
                                         "member_ids": [], "channel": "in_person"})
    for i, code in enumerate(("application_form", "identity_document", "child_birth_certificate")):
        step("post", f"applications/{app['id']}/documents",
             {"document_code": code, "file": png(f"{code}.png", (serial % 250, i, 7))}, files={})
    sub = step("post", f"applications/{app['id']}/submit", {}, **{"Idempotency-Key": f"six-{serial}"})
    assert sub["status"] == "submitted"
    return counts


def test_six_request_flow_round_trips(front, api, tmp_path):
    client = api(front)
    with _shared_cache(tmp_path):
        _six_requests(client, 903)   # warms up (code paths, the token in the cache)
        counts = _six_requests(client, 904)
    assert sum(counts) <= SIX_REQUESTS_MAX[connection.vendor], counts
    # A process-local cache: each request checks the token in the database — one statement more each —, and the two
    # that compute the case's terms read the days off there too; no other.
    _token_just_used(front)
    local = _six_requests(client, 906)
    assert local == [n + 1 + (i in TERMS_COMPUTED) for i, n in enumerate(counts)], (local, counts)
    assert sum(local) <= SIX_REQUESTS_MAX_LOCAL_CACHE[connection.vendor], local
