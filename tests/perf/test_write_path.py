"""Round trips of the write path are pinned (#24): the one-request intake and the six-request flow.

Counted as in ``test_query_counts``: every statement the request sends (the token check included), after a
warm-up request. Each request in production is its own transaction; the test's requests share the test's
transaction, so before each measured request the audit chain's "held by this transaction" marker is dropped
(``_as_new_transaction``) — the count then includes the chain head's lock as production sends it. The outermost
transaction of a request shows here as SAVEPOINT/RELEASE (production: BEGIN/COMMIT, not captured): same count.

A change that saves round trips lowers the pin in the same commit.
"""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hromada.audit.models import AuditEntry
from hromada.audit.services import _Appended, _Held
from hromada.demo.dataset import make_rnokpp
from hromada.offline.tests.test_sync import BIRTH, files, payload, png

pytestmark = pytest.mark.django_db

# Measured (what each statement is: bench/README.md, "Round trips of the write path").
# The intake: 20 on both engines — PostgreSQL adds the client key's advisory lock and saves the audit head's
# separate UPDATE (the entries' INSERT moves the head in the same statement).
ONE_REQUEST_MAX = 20
# The six requests (person, case, three scans, submission): SQLite 8 + 14 + 10 × 3 + 15 = 67;
# PostgreSQL 7 + 13 + 9 × 3 + 14 = 61 (one statement less per audited request, as above).
SIX_REQUESTS_MAX = {"sqlite": 67, "postgresql": 61}


def _as_new_transaction():
    connection.run_on_commit[:] = [c for c in connection.run_on_commit if not isinstance(c[1], _Held | _Appended)]


def _intake_form(front, key, serial, color, last):
    return {"client_key": key, "payload": json.dumps(payload(make_rnokpp(BIRTH, "F", serial), doc=f"{serial:09d}",
                                                             last=last)),
            "author_id": front.pk, "desk_id": front.office_id, **files(color)}


def test_one_request_intake_round_trips(front, api):
    client = api(front)
    assert client.post("offline/intake", _intake_form(front, "warm", 901, (5, 6, 7), "Теплюк"), files={}).status_code == 200
    _as_new_transaction()
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        res = client.post("offline/intake", _intake_form(front, "pinned", 902, (8, 9, 10), "Заїченко"), files={})
    assert res.status_code == 200 and res.json()["status"] == "submitted", res.content
    sql = [q["sql"] for q in ctx.captured_queries]
    # The six audit entries of the intake (person, case, three scans, submission) in ONE statement.
    assert AuditEntry.objects.count() == entries + 6
    assert sum('INSERT INTO "audit_auditentry"' in s for s in sql) == 1
    # No savepoint but the request's own transaction (shown as one SAVEPOINT here, see the module docstring).
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    # The case is read once: created, then handed on (the state machine's lock is the one read).
    assert sum(s.startswith('SELECT "applications_application"') for s in sql) <= 1
    assert len(sql) <= ONE_REQUEST_MAX, "\n".join(sql)


def test_six_request_flow_round_trips(front, api):
    client = api(front)
    counts = []

    def step(method, path, data=None, **kw):
        _as_new_transaction()
        with CaptureQueriesContext(connection) as ctx:
            res = getattr(client, method)(path, data, **kw)
        counts.append(len(ctx.captured_queries))
        assert res.status_code in (200, 201), res.content
        return res.json()

    for serial in (903, 904):   # the first pass warms up
        counts.clear()
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
    assert sum(counts) <= SIX_REQUESTS_MAX[connection.vendor], counts
