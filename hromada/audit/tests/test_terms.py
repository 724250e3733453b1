"""The audit entry's words as codes and its request id as bytes on PostgreSQL (hromada.audit.fields, #24 bytes):
read back as written, filtered as before, computed alike in Python and in the migration's SQL, and guarded by the
chain's check."""

import pytest
from django.db import connection

from hromada.audit import fields
from hromada.audit.fields import REQUEST_ID_SQL, TERM_CODE_SQL, request_id_bytes, request_id_text, term_code
from hromada.audit.labels import ACTIONS, OBJECTS
from hromada.audit.models import AuditEntry, AuditTerm
from hromada.audit.selectors import known_actions
from hromada.audit.services import record, verify_chain

from .helpers import _as_written, guard_disabled

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                     reason="the codes and bytes are PostgreSQL's: SQLite keeps the text")
# A UUID's hex (the middleware's), ids a proxy may send (15 characters: one zero byte would make 16), none.
IDS = ["", "5f0c3a1e9b7d4c2a8e6f1b3d5a7c9e0f", "a" * 8, "proxy-id-15char", "P" * 16, "x" * 64,
       "ABCDEF0123456789ABCDEF0123456789", "req:1.2_3-4", "5f0c3a1e9b7d4c2a8e6f1b3d5a7c9e0f\n"]


def test_every_labelled_word_has_its_own_code():
    words = {*ACTIONS, *OBJECTS}
    assert len({term_code(w) for w in words}) == len(words)
    assert term_code("") == 0 and term_code("person.view") == term_code("person.view") != 0


@pytest.mark.parametrize("rid", IDS)
def test_request_id_reads_back_as_written(rid):
    raw = request_id_bytes(rid)
    assert request_id_text(raw) == rid
    assert (len(raw) == 16) == (len(rid) == 32 and rid == rid.lower() and rid.isalnum())   # only a hex id


def test_entries_read_back_their_words_and_request_id(front, rf):
    request = rf.get("/", HTTP_X_REQUEST_ID="proxy-id-15char")
    entry = record(actor=front, action="test.words", object_type="test.thing", object_id=7, request=request)
    again = AuditEntry.objects.get(pk=entry.pk)
    assert (again.action, again.object_type, again.actor_role, again.request_id) == (
        "test.words", "test.thing", front.role, "proxy-id-15char")
    assert AuditEntry.objects.filter(action="test.words", object_type="test.thing").count() == 1
    assert AuditEntry.objects.filter(action__in=["test.words", "test.other"]).count() == 1
    assert AuditEntry.objects.filter(action__startswith="test.wo").count() == 1
    assert not AuditEntry.objects.filter(action__startswith="test.w_").exists()   # "_" is a letter, not a wildcard
    assert not AuditEntry.objects.filter(action="test.never").exists()
    assert AuditEntry.objects.filter(request_id="proxy-id-15char").get().pk == entry.pk
    assert "test.words" in known_actions()
    assert list(AuditEntry.objects.filter(pk=entry.pk).values_list("action", "request_id")) == [
        ("test.words", "proxy-id-15char")]


@postgresql_only
def test_postgresql_stores_codes_and_the_words_once(front):
    entries = [record(actor=front, action="test.stored", object_type="test.thing", object_id=i) for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT action, object_type, actor_role, request_id FROM audit_auditentry WHERE id = %s",
                       [entries[0].pk])
        action, object_type, role, rid = cursor.fetchone()
    assert (action, object_type, role) == (term_code("test.stored"), term_code("test.thing"), term_code(front.role))
    assert bytes(rid) == request_id_bytes(entries[0].request_id)
    assert AuditTerm.objects.filter(name__in=["test.stored", "test.thing", front.role]).count() == 3
    assert all(t.id == term_code(t.name) for t in AuditTerm.objects.all())


@postgresql_only
@pytest.mark.parametrize("lookup", ["action__contains", "action__icontains", "object_type__endswith", "action__gt",
                                    "actor_role__iexact", "request_id__startswith", "request_id__gt"])
def test_a_text_comparison_a_code_cannot_answer_is_refused(lookup):
    from django.db import NotSupportedError

    with pytest.raises(NotSupportedError):
        list(AuditEntry.objects.filter(**{lookup: "app"}))


@postgresql_only
@pytest.mark.parametrize("word", ["person.view", "applications.application", "test.ї-word", "x"])
def test_the_migrations_sql_computes_the_same_code(word):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {TERM_CODE_SQL.format('w')} FROM (SELECT %s::text AS w) s", [word])  # noqa: S608
        assert cursor.fetchone()[0] == term_code(word)


@postgresql_only
@pytest.mark.parametrize("rid", IDS)
def test_the_migrations_sql_stores_the_same_request_id(rid):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {REQUEST_ID_SQL.format('r')} FROM (SELECT %s::text AS r) s", [rid])  # noqa: S608
        assert bytes(cursor.fetchone()[0]) == request_id_bytes(rid)


@postgresql_only
def test_a_changed_or_removed_word_is_found(front, monkeypatch):
    from django.db import IntegrityError, transaction

    record(actor=front, action="test.guarded", object_type="test.thing", object_id=1)
    assert verify_chain()[1] == []
    # The table refuses a word under another word's code (its check), even to the owner.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditterm SET name = 'test.hidden' WHERE id = %s", [term_code("test.guarded")])
    with guard_disabled(), connection.cursor() as cursor:   # the owner drops the check and changes the word
        cursor.execute("ALTER TABLE audit_auditterm DROP CONSTRAINT audit_term_is_its_code")
        cursor.execute("UPDATE audit_auditterm SET name = 'test.hidden' WHERE id = %s", [term_code("test.guarded")])
    assert [p.kind for p in verify_chain()[1]] == ["term_changed"]
    # A new process knows no word: it reads the entry's action as its number (never as the changed word), and the
    # entry no longer matches its hash.
    monkeypatch.setattr(fields, "_words", {0: ""})
    kinds = [p.kind for p in verify_chain()[1]]
    assert "broken" in kinds and "term_changed" in kinds
    assert AuditEntry.objects.filter(object_type="test.thing").get().action == f"#{term_code('test.guarded')}"
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditterm WHERE id = %s", [term_code("test.guarded")])
    monkeypatch.setattr(fields, "_words", {0: ""})
    problems = verify_chain()[1]
    assert "term_missing" in [p.kind for p in problems]
    assert AuditEntry.objects.filter(object_type="test.thing").get().action == f"#{term_code('test.guarded')}"


@postgresql_only
def test_a_restore_writes_the_words_its_entries_were_coded_with(front):
    """A db.json restored by loaddata codes its entries' words without the table's rows (from SQLite, or a release
    before the codes): the restore writes the words the restoring process coded (backup._restore_database)."""
    from hromada.audit.services import store_words_of_entries

    record(actor=front, action="test.restored", object_type="test.thing", object_id=1)
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditterm WHERE name IN ('test.restored', 'test.thing')")
    assert "term_missing" in [p.kind for p in verify_chain()[1]]
    before = set(AuditTerm.objects.values_list("id", flat=True))
    store_words_of_entries()
    assert verify_chain()[1] == []
    added = set(AuditTerm.objects.values_list("id", flat=True)) - before
    assert added == {term_code("test.restored"), term_code("test.thing")}   # only the words entries hold


def test_what_an_auditor_types_is_not_remembered_as_a_word():
    list(AuditEntry.objects.filter(action="test.typed-by-an-auditor"))
    list(AuditEntry.objects.filter(action__in=["test.typed-too"]))
    assert "test.typed-by-an-auditor" not in fields.known_words().values()
    assert "test.typed-too" not in fields.known_words().values()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_word_is_left_out_of_the_append_only_once_it_is_stored(front):
    """An append leaves the term table out once its words are known to be there: learned when the append that wrote
    them committed, never from one rolled back."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        record(actor=front, action="test.rolled", object_type="test.thing", object_id=1)
        raise Undo
    assert not AuditTerm.objects.filter(name="test.rolled").exists()
    with CaptureQueriesContext(connection) as ctx:
        for i in range(3):
            with transaction.atomic():
                record(actor=front, action="test.rolled", object_type="test.thing", object_id=i)
    writes = [sql for sql in map(_as_written, (q["sql"] for q in ctx.captured_queries)) if "audit_auditentry" in sql]
    assert [("audit_auditterm" in sql) for sql in writes] == [True, False, False]
    assert AuditTerm.objects.filter(name="test.rolled").exists()
    assert verify_chain()[1] == []
