"""Statements prepared once per connection (``core.db.prepared``): the same rows, no value kept with the prepared
statement, a new plan only where the old one cannot run, and nothing at all where a prepared statement cannot live.

Each test that looks at the session's prepared statements starts a session of its own (``_new_session``): an
earlier test on the same connection may have prepared the same statements."""
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from psycopg.pq import TransactionStatus

from hromada.catalog.models import Holiday
from hromada.core import db

PG_ONLY = "PostgreSQL's prepared statements (SQLite: nothing to prepare; the PostgreSQL run of the suite runs this)"
pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason=PG_ONLY)


def _session_statements() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _new_session() -> None:
    connection.close()
    connection.ensure_connection()
    assert _session_statements() == {}


def _holidays(year: int, like: str):
    from datetime import date, timedelta
    Holiday.objects.bulk_create([Holiday(date=date(year, 1, 5) + timedelta(days=i), name=f"{like} {i}")
                                 for i in range(4)])
    return Holiday.objects.filter(date__year=year, name__contains=like).order_by("date").values_list("date", "name")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_and_then_only_run():
    rows = _holidays(2031, "50% знижки")   # a percent sign in a value
    expected = list(rows.all())
    assert len(expected) == 4
    _new_session()
    with db.prepared(), CaptureQueriesContext(connection) as first:
        assert list(rows.all()) == expected
    with db.prepared(), CaptureQueriesContext(connection) as later:
        assert list(rows.all()) == expected
        assert list(rows.all()) == expected
    # One statement per call, the first one included: PREPARE went alone, before it, as the connection's.
    [(name, text)] = _session_statements().items()
    assert [q["sql"].split("(")[0] for q in [*first, *later]] == [f"EXECUTE {name}"] * 3
    # The prepared statement holds no value: neither the server's view of it nor its log shows a resident's data.
    assert text.startswith(f"PREPARE {name} AS SELECT") and "LIKE $3" in text and "знижки" not in text
    # Outside a transaction none is left open; other values, the same statement.
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    other = _holidays(2032, "50% знижки")
    with db.prepared(), CaptureQueriesContext(connection) as again:
        assert list(other.all()) == list(Holiday.objects.filter(date__year=2032).order_by("date")
                                         .values_list("date", "name"))
    assert again[0]["sql"].startswith(f"EXECUTE {name}(")
    # A new session (the connection renewed: CONN_MAX_AGE, an error) holds none: it prepares again.
    _new_session()
    with db.prepared():
        assert list(rows.all()) == expected
    assert len(_session_statements()) == 1
    # Outside the block, the text as written.
    with CaptureQueriesContext(connection) as plain:
        assert list(rows.all()) == expected
    assert plain[0]["sql"].startswith("SELECT")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_percent_sign_in_the_text_and_statements_it_cannot_take():
    _new_session()
    with db.prepared(), connection.cursor() as cursor:
        cursor.execute("SELECT %s::text || '%%'", ["50"])      # Django's escaped percent sign
        assert cursor.fetchone() == ("50%",)
        cursor.execute("SHOW join_collapse_limit")              # not a statement PREPARE takes
        cursor.execute("SET LOCAL statement_timeout = 0; SELECT %s::int", [7])   # two statements
        cursor.nextset()
        assert cursor.fetchone() == (7,)
    assert [text.split(" AS ", 1)[1] for text in _session_statements().values()] == ["SELECT $1::text || '%'"]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_error_of_the_statement_keeps_it_prepared():
    _new_session()
    with db.prepared(), connection.cursor() as cursor:
        cursor.execute("SELECT 10 / %s", [2])
        assert cursor.fetchone() == (5,)
        with pytest.raises(DatabaseError):
            cursor.execute("SELECT 10 / %s", [0])
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("SELECT 10 / %s", [0])
        # The values failed, not the statement: it runs on under its name, and no name is spent.
        cursor.execute("SELECT 10 / %s", [5])
        assert cursor.fetchone() == (2,)
    assert len(_session_statements()) == 1 and db._prepared_on(connection).made == 1


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_column_changed_under_a_prepared_statement():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_probe (id int PRIMARY KEY, code int)")
        cursor.execute("INSERT INTO prepared_probe VALUES (1, 7)")
    try:
        def read():
            with db.prepared(), connection.cursor() as cursor:
                cursor.execute("SELECT code FROM prepared_probe WHERE id = %s", [1])
                return cursor.fetchone()[0]

        _new_session()
        assert read() == 7
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE prepared_probe ALTER COLUMN code TYPE text")
        # Outside a transaction the statement failed alone ("cached plan must not change result type"): it is
        # run as text, and the next call prepares it anew, under a new name.
        assert read() == "7"
        assert read() == "7"
        assert len(_session_statements()) == 2
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE prepared_probe ALTER COLUMN code TYPE int USING code::int")
        # Inside a transaction the error fails it (its earlier work is gone anyway); the next one reads again.
        with pytest.raises(DatabaseError), transaction.atomic():
            read()
        assert read() == 7
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE prepared_probe")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_keeps_a_bounded_number(monkeypatch):
    _new_session()
    monkeypatch.setattr(db, "PREPARED_PER_CONNECTION", 2)
    with db.prepared(), CaptureQueriesContext(connection) as sent, connection.cursor() as cursor:
        for width in range(1, 6):   # an IN list of each length is a statement of its own
            placeholders = ", ".join(["%s"] * width)
            cursor.execute(f"SELECT count(*) FROM (VALUES (1), (2)) v(n) WHERE n IN ({placeholders})",  # noqa: S608
                           list(range(width)))
            assert cursor.fetchone() == (min(width - 1, 2),)
    assert len(_session_statements()) == 2
    assert [q["sql"].split()[0] for q in sent] == ["EXECUTE", "EXECUTE", "SELECT", "SELECT", "SELECT"]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_prepared_where_it_cannot_live(settings):
    rows = _holidays(2033, "свято")
    connection.close()
    # PgBouncer's transaction pooling: the next transaction's session may be another client's.
    settings.HROMADA_PGBOUNCER = True
    with db.prepared(), CaptureQueriesContext(connection) as sent:
        assert len(list(rows.all())) == 4
    assert sent[0]["sql"].startswith("SELECT")
    settings.HROMADA_PGBOUNCER = False
    # Django's connection pool hands a session to another thread, which knows nothing of what it holds.
    connection.settings_dict["OPTIONS"]["pool"] = True
    try:
        assert not db.may_prepare()
    finally:
        connection.settings_dict["OPTIONS"].pop("pool")
    with db.prepared(), CaptureQueriesContext(connection) as sent:
        assert len(list(rows.all())) == 4
    # SQLite has no PREPARE statement: the text as written.
    assert sent[0]["sql"].startswith("EXECUTE" if connection.vendor == "postgresql" else "SELECT")
    assert db.may_prepare() == (connection.vendor == "postgresql")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_lookup_by_rnokpp_and_the_read_s_append_are_prepared(front):
    from hromada.audit.models import AuditEntry
    from hromada.audit.services import audited_read
    from hromada.persons import selectors
    from hromada.persons.tests.factories import make_person

    person = make_person(front)
    _new_session()
    for _ in range(2):
        assert [p.pk for p in selectors.search_persons(front, rnokpp=person.rnokpp)] == [person.pk]
        assert [p.pk for p in selectors.search_persons(front, document=person.id_document_number)] == [person.pk]
        audited_read(actor=front, action="person.view", objects=[person], limit=False)
    texts = list(_session_statements().values())
    # The read's append twice: with the entry's words the first time, without them once they are stored
    # (hromada.audit.services, _new_words); the lookup by РНОКПП once.
    appends = [t for t in texts if 'INSERT INTO "audit_auditentry"' in t]
    assert sorted('"audit_auditterm"' in t for t in appends) == [False, True]
    assert len(texts) == 3
    assert any('FROM "persons_person"' in t and '"rnokpp" = $' in t for t in texts)
    # Not the document's lookup: its unique index is partial (a number given), which a plan for any value cannot use.
    assert not any('"id_document_number" = $' in t for t in texts)
    assert AuditEntry.objects.filter(action="person.view", object_id=str(person.pk)).count() == 2
