"""The append that locks the chain head itself: on PostgreSQL one statement locks the head, chains the hashes in SQL,
inserts the entries and moves the head. What it writes must be what ``entry_hash`` (Python) says, so
``verify_chain`` verifies it and still finds any tampering. On SQLite the same tests check the Python path."""
import pytest
from django.db import connection
from django.db.models import Field
from django.test.utils import CaptureQueriesContext

from hromada import testing
from hromada.audit.models import AuditChainHead, AuditEntry, AuditTerm
from hromada.audit.services import GENESIS, audited_read, batch, chain_key, entry_hash, hashed_fields, record, verify_chain

from .helpers import _as_written, as_new_transaction, guard_disabled
from .test_chains import _oblast_hromada

# Text the hash covers must match byte for byte: letters outside ASCII, quotes, a backslash, an emoji (4 bytes in
# UTF-8), control characters (escaped by json), nested values, numbers and an address.
DETAILS = {"назва": "Ґанок «Їжак» \"лапки\" \\ 🙂", "ids": [3, 1, 2], "вкладене": {"є": True, "ні": None, "x": 1.5},
           "tab": "a\tb\nc"}


def _batch(actor, hromada, n, tag, **kw):
    as_new_transaction()
    with batch():
        entries = [record(actor=actor, action="test.sql", object_type="test.thing", object_id=f"{tag}{i}",
                          hromada_id=hromada.pk, details={**DETAILS, "i": i}, **kw) for i in range(n)]
    return entries


def _stored(entries):
    return list(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk"))


@pytest.fixture
def hromada(demo):
    return _oblast_hromada("96", "Тестова-С")   # a chain with no head row yet: the first append creates it


def test_entries_verify_with_the_python_hash(front, hromada, rf):
    request = rf.post("/", REMOTE_ADDR="2001:db8::1", HTTP_X_REQUEST_ID="req-sql-append-1")
    first = _batch(front, hromada, 4, "a", request=request)
    second = _batch(front, hromada, 1, "b", request=request)     # one entry: PostgreSQL's statement for one
    third = _batch(front, hromada, 2, "c")      # no request: no address, no request id (NULLs in the arrays)
    fourth = _batch(front, hromada, 1, "d")     # … and as plain parameters
    stored = _stored(first + second + third + fourth)
    assert [e.pk for e in stored] == [e.pk for e in first + second + third + fourth]   # ids ascend along the chain
    prev = GENESIS
    for entry, returned in zip(stored, first + second + third + fourth, strict=True):
        # What the database computed is exactly the Python hash of what it stored.
        assert entry.hash_hex == entry_hash(prev, hashed_fields(entry)) and len(bytes(entry.hash)) == 32
        assert (bytes(entry.hash), entry.chain) == (bytes(returned.hash), returned.chain)
        assert entry.chain == chain_key(hromada.pk) and entry.details["назва"] == DETAILS["назва"]
        prev = entry.hash_hex
    assert {(e.ip, e.request_id) for e in stored[:5]} == {("2001:db8::1", "req-sql-append-1")}
    assert {(e.ip, e.request_id) for e in stored[5:]} == {(None, "")}
    head = AuditChainHead.objects.get(chain=chain_key(hromada.pk))
    assert (head.last_id, head.last_hash) == (stored[-1].pk, stored[-1].hash_hex)
    assert verify_chain()[1] == []


def test_one_statement_on_postgresql(front, hromada):
    _batch(front, hromada, 1, "warm")   # the chain's head exists
    as_new_transaction()
    with CaptureQueriesContext(connection) as ctx, batch():
        for i in range(3):
            record(actor=front, action="test.sql", object_type="test.thing", object_id=f"one{i}", hromada_id=hromada.pk)
    sql = [q["sql"] for q in ctx.captured_queries]
    if connection.vendor == "postgresql":
        # The head's lock, the entries' INSERT and the head's move: one round trip.
        assert len(sql) == 1 and "FOR UPDATE" in sql[0] and "INSERT INTO" in sql[0], sql
    assert verify_chain()[1] == []


def test_later_appends_of_the_transaction_stay_on_its_chain(front, hromada, demo):
    first = _batch(front, hromada, 2, "c")
    # Same transaction (no as_new_transaction): an entry about another oblast's hromada joins the held chain.
    other = _oblast_hromada("95", "Тестова-Д")
    later = record(actor=front, action="test.sql", object_type="test.thing", object_id="d", hromada_id=other.pk)
    assert later.chain == first[0].chain and entry_hash(first[-1].hash_hex, hashed_fields(later)) == later.hash_hex
    assert verify_chain()[1] == []


def test_tampering_with_sql_written_entries_is_found(front, hromada):
    entries = _batch(front, hromada, 3, "e")
    _batch(front, hromada, 2, "f")
    with guard_disabled():
        AuditEntry.objects.filter(pk=entries[1].pk).update(details={**DETAILS, "i": 99})
    problems = verify_chain()[1]
    assert [(p.kind, p.entry_id) for p in problems] == [("broken", entries[1].pk)]
    with guard_disabled():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
    kinds = {(p.kind, p.entry_id) for p in verify_chain()[1]}
    assert ("broken", entries[2].pk) in kinds


@pytest.mark.django_db(transaction=True)
def test_a_read_outside_any_transaction_appends_in_its_one_statement():
    """A read is audited outside any transaction (autocommit): on PostgreSQL its append is one statement and a
    transaction by itself, with no BEGIN and COMMIT around it; the entries chain on, the first one of a chain with
    no head yet included, and verify."""
    testing.ensure_demo()
    actor = testing.user("front")
    hromada = _oblast_hromada("95", "Тестова-Ч")   # no head yet: the first read creates it
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as ctx:
        entries = [audited_read(actor=actor, action="test.read", object_type="test.thing", object_id=i,
                                hromada_id=hromada.pk, limit=False) for i in range(3)]
    if connection.vendor == "postgresql":
        statements = [_as_written(q["sql"]) for q in ctx.captured_queries[-2:]]
        # One entry: the statement for one (no recursion), the head's lock, the INSERT and the head's move — prepared
        # once per connection (core.db.prepared), then run by name. The first read wrote the entry's words (the term
        # table, hromada.audit.fields); the later ones, their words known, leave the term table out.
        assert len(statements) == 2 and all(s.startswith("WITH head AS") for s in statements), statements
        first = [s for s in map(_as_written, (q["sql"] for q in ctx.captured_queries)) if "audit_auditterm" in s]
        # (Sent twice: the first found no head for the new chain, wrote no entry and was sent again after it.)
        assert len(first) == 2 and all(s.startswith("WITH terms AS") and "RECURSIVE" not in s for s in first), first
        assert set(AuditTerm.objects.values_list("name", flat=True)) >= {"test.read", "test.thing", actor.role}
        assert not any(q["sql"] in ("BEGIN", "COMMIT") for q in ctx.captured_queries[-2:])
    stored = _stored(entries)
    assert [e.pk for e in stored] == sorted(e.pk for e in entries)
    assert [bytes(e.hash) for e in stored] == [bytes(e.hash) for e in entries]
    assert {e.chain for e in stored} == {chain_key(hromada.pk)}
    head = AuditChainHead.objects.get(chain=chain_key(hromada.pk))
    assert (head.last_id, head.last_hash) == (stored[-1].pk, stored[-1].hash_hex)
    assert verify_chain()[1] == []


def test_the_statements_are_built_once_per_process(front, hromada, monkeypatch):
    """Building a statement (its columns, their types, the text) took ~0.28 ms of every audited read; appends after
    the first reuse it."""
    if connection.vendor != "postgresql":
        pytest.skip("the statements are PostgreSQL's: SQLite appends through the ORM (the PostgreSQL run runs this)")
    _batch(front, hromada, 1, "built")
    built = []
    original = Field.db_type
    monkeypatch.setattr(Field, "db_type",
                        lambda self, connection: built.append(self.name) or original(self, connection))
    entries = _batch(front, hromada, 1, "once") + _batch(front, hromada, 3, "again")
    assert not [name for name in built if name in {f.name for f in AuditEntry._meta.concrete_fields}], built
    assert verify_chain()[1] == [] and len(_stored(entries)) == 4
