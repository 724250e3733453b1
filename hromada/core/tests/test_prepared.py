"""Statements prepared once per connection (``core.db.prepared``): the same rows, no round trip more, a new plan
after an error, and nothing at all where a prepared statement cannot live."""
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


def _forget() -> None:
    """This connection's statements as if none were prepared yet (an earlier test on it may have prepared them)."""
    connection.ensure_connection()
    db._prepared_on(connection).forget()


def _holidays(year: int, like: str):
    from datetime import date, timedelta
    Holiday.objects.bulk_create([Holiday(date=date(year, 1, 5) + timedelta(days=i), name=f"{like} {i}")
                                 for i in range(4)])
    return Holiday.objects.filter(date__year=year, name__contains=like).order_by("date").values_list("date", "name")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_and_then_only_run():
    rows = _holidays(2031, "50% знижки")   # a percent sign in a value and a LIKE's %% in the text
    expected = list(rows.all())
    assert len(expected) == 4
    _forget()
    with db.prepared(), CaptureQueriesContext(connection) as first:
        assert list(rows.all()) == expected
    with db.prepared(), CaptureQueriesContext(connection) as later:
        assert list(rows.all()) == expected
        assert list(rows.all()) == expected
    # The first run sends PREPARE and EXECUTE in one string; the next ones EXECUTE alone: one statement each.
    assert len(first) == 1 and first[0]["sql"].startswith("PREPARE hromada_")
    assert [q["sql"].split("(")[0] for q in later] == [first[0]["sql"].split()[1].join(["EXECUTE ", ""])] * 2
    name = first[0]["sql"].split()[1]
    assert "LIKE" in _session_statements()[name]
    # Outside a transaction none is left open; other values, the same statement.
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    other = _holidays(2032, "50% знижки")
    with db.prepared(), CaptureQueriesContext(connection) as again:
        assert list(other.all()) == list(Holiday.objects.filter(date__year=2032).order_by("date")
                                         .values_list("date", "name"))
    assert again[0]["sql"].startswith(f"EXECUTE {name}(")
    # A new session (the connection renewed: CONN_MAX_AGE, an error) holds none: it prepares again.
    connection.close()
    with db.prepared(), CaptureQueriesContext(connection) as renewed:
        assert list(rows.all()) == expected
    assert renewed[0]["sql"].startswith("PREPARE hromada_")
    # Outside the block, the text as written.
    with CaptureQueriesContext(connection) as plain:
        assert list(rows.all()) == expected
    assert plain[0]["sql"].startswith("SELECT")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_after_an_error_the_statements_get_new_names():
    _forget()
    with db.prepared(), connection.cursor() as cursor:
        cursor.execute("SELECT 10 / %s", [2])
        assert cursor.fetchone() == (5,)
        with pytest.raises(DatabaseError):
            cursor.execute("SELECT 10 / %s", [0])
        # What the failed string left prepared is not relied on: the statement is prepared again under a new name.
        cursor.execute("SELECT 10 / %s", [5])
        assert cursor.fetchone() == (2,)
    names = [n for n, text in _session_statements().items() if "10 / $1" in text]
    assert len(names) >= 2


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_column_changed_under_a_prepared_statement(django_db_blocker):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE prepared_probe (id int PRIMARY KEY, code int)")
        cursor.execute("INSERT INTO prepared_probe VALUES (1, 7)")
    try:
        def read():
            with db.prepared(), connection.cursor() as cursor:
                cursor.execute("SELECT code FROM prepared_probe WHERE id = %s", [1])
                return cursor.fetchone()[0]

        assert read() == 7
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE prepared_probe ALTER COLUMN code TYPE text")
        # Outside a transaction the statement failed alone ("cached plan must not change result type"): it is
        # run as text, and the next call prepares it anew.
        assert read() == "7"
        assert read() == "7"
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
@pytest.mark.django_db
def test_a_connection_keeps_a_bounded_number(monkeypatch):
    _forget()
    monkeypatch.setattr(db, "PREPARED_PER_CONNECTION", db._prepared_on(connection).made + 2)
    with db.prepared(), CaptureQueriesContext(connection) as sent, connection.cursor() as cursor:
        for width in range(1, 6):   # an IN list of each length is a statement of its own
            placeholders = ", ".join(["%s"] * width)
            cursor.execute(f"SELECT count(*) FROM (VALUES (1), (2)) v(n) WHERE n IN ({placeholders})",  # noqa: S608
                           list(range(width)))
            assert cursor.fetchone() == (min(width - 1, 2) if width > 1 else 0,)
    prepared_texts = [q["sql"] for q in sent if q["sql"].startswith("PREPARE")]
    assert len(prepared_texts) == 2 and sent[-1]["sql"].startswith("SELECT")


@pytest.mark.django_db
def test_nothing_is_prepared_where_it_cannot_live(settings):
    rows = _holidays(2033, "свято")
    _forget()
    settings.HROMADA_PGBOUNCER = True     # PgBouncer's transaction pooling: the next transaction's server differs
    with db.prepared(), CaptureQueriesContext(connection) as sent:
        assert len(list(rows.all())) == 4
    assert sent[0]["sql"].startswith("SELECT")
    settings.HROMADA_PGBOUNCER = False
    with db.prepared(), CaptureQueriesContext(connection) as sent:
        assert len(list(rows.all())) == 4
    # SQLite has no PREPARE statement: the text as written.
    assert sent[0]["sql"].startswith("PREPARE" if connection.vendor == "postgresql" else "SELECT")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_lookup_by_key_and_the_read_s_append_are_prepared(front):
    from hromada.audit.models import AuditEntry
    from hromada.audit.services import audited_read
    from hromada.persons import selectors
    from hromada.persons.tests.factories import make_person

    person = make_person(front)
    for _ in range(2):
        assert [p.pk for p in selectors.search_persons(front, rnokpp=person.rnokpp)] == [person.pk]
        audited_read(actor=front, action="person.view", objects=[person], limit=False)
    texts = _session_statements().values()
    assert any('FROM "persons_person"' in t and '"rnokpp" = $' in t for t in texts)
    assert any('INSERT INTO "audit_auditentry"' in t for t in texts)
    assert AuditEntry.objects.filter(action="person.view", object_id=str(person.pk)).count() == 2
