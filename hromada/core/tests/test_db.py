"""The whole-transaction helpers: bounded retry on deadlock/serialization failure, files of a failed call; the planner
setting of a block."""
import contextlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from psycopg.pq import TransactionStatus

from hromada.core import db


class _PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _deadlock(sqlstate="40P01"):
    try:
        raise _PgError(sqlstate)
    except _PgError as cause:
        try:
            raise OperationalError("deadlock detected") from cause
        except OperationalError as exc:
            return exc


def _flaky(failures, sqlstate="40P01"):
    calls = []

    @db.write_transaction
    def service():
        calls.append(1)
        with transaction.atomic():
            if len(calls) <= failures:
                raise _deadlock(sqlstate)
        return len(calls)

    return service, calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_deadlock_or_serialization_failure_runs_the_whole_call_again(sqlstate):
    service, calls = _flaky(2, sqlstate)
    assert service() == 3


@pytest.mark.django_db(transaction=True)
def test_retry_is_bounded():
    service, calls = _flaky(10)
    with pytest.raises(OperationalError):
        service()
    assert len(calls) == db.MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_other_errors_are_not_retried():
    service, calls = _flaky(1, sqlstate="23505")
    with pytest.raises(OperationalError):
        service()
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_error_propagates():
    # Only the outermost call may run the transaction again: a part of it cannot be retried.
    service, calls = _flaky(1)
    with pytest.raises(OperationalError):
        service()
    assert len(calls) == 1


def _writer(storage, fail):
    @db.write_transaction
    def write(name):
        stored = storage.save(name, ContentFile(b"scan"))
        db.delete_if_rolled_back(storage, stored)
        if fail:
            raise RuntimeError("injected failure after the file was written")
        return stored
    return write


@pytest.mark.django_db
def test_file_of_a_failed_call_is_deleted(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    with pytest.raises(RuntimeError):
        _writer(storage, fail=True)("a.pdf")
    kept = _writer(storage, fail=False)("b.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept]


@pytest.mark.django_db
def test_file_of_an_inner_call_goes_when_the_outer_call_fails(tmp_path):
    storage = FileSystemStorage(location=tmp_path)

    @db.write_transaction
    def outer():
        _writer(storage, fail=False)("inner.pdf")
        raise RuntimeError("the outer transaction fails after the inner call succeeded")

    with pytest.raises(RuntimeError):
        outer()
    assert list(tmp_path.iterdir()) == []


PLANNER_ONLY = "a PostgreSQL planner setting: SQLite has none (the PostgreSQL run of the suite runs this)"


def _collapse_limit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason=PLANNER_ONLY)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outer", [False, True], ids=["outside a transaction", "inside the caller's"])
def test_joins_as_written_only_inside_the_block(outer):
    default = _collapse_limit()
    with transaction.atomic() if outer else contextlib.nullcontext():
        with db.joins_as_written():
            assert _collapse_limit() == "1"
            assert _collapse_limit() == "1"                 # each statement of the block, not only the first
            assert connection.in_atomic_block == outer       # outside one, no transaction is opened for it…
            if not outer:
                # …and none is left open: the setting lived in its statement's implicit transaction.
                assert connection.connection.info.transaction_status == TransactionStatus.IDLE
        assert _collapse_limit() == default
    assert _collapse_limit() == default != "1"


@pytest.mark.skipif(connection.vendor != "postgresql", reason=PLANNER_ONLY)
@pytest.mark.django_db(transaction=True)
def test_joins_as_written_outside_a_transaction_sends_one_statement_string():
    from datetime import date, timedelta

    from hromada.catalog.models import Holiday

    default = _collapse_limit()
    Holiday.objects.bulk_create([Holiday(date=date(2031, 1, 5) + timedelta(days=i), name=f"День {i}")
                                 for i in range(5)])
    rows = Holiday.objects.filter(date__year=2031).order_by("date").values_list("date", "name")
    with CaptureQueriesContext(connection) as plain:
        expected = list(rows)
    assert len(expected) == 5
    with db.joins_as_written(), CaptureQueriesContext(connection) as hinted:
        # The ORM's rows are the statement's, read after the setting's result…
        assert list(rows.all()) == expected
        # …and no transaction was opened for the block (a transaction of its own would be open here).
        assert connection.connection.info.transaction_status == TransactionStatus.IDLE
        # A named (server-side) cursor's statement goes out unhinted: DECLARE takes one statement.
        assert list(rows.all().iterator(chunk_size=2)) == expected
    assert len(hinted) == 2 and len(plain) == 1       # the page, and the iterator's statement
    # An error inside the block leaves the connection as it was.
    with pytest.raises(DatabaseError), db.joins_as_written(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")
    assert _collapse_limit() == default
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE


@pytest.mark.skipif(connection.vendor != "postgresql", reason=PLANNER_ONLY)
@pytest.mark.django_db(transaction=True)
def test_a_transaction_begun_inside_the_block_does_not_keep_the_setting():
    default = _collapse_limit()
    with db.joins_as_written():
        with transaction.atomic():
            assert _collapse_limit() == default     # not hinted: SET LOCAL would last to this transaction's end
            assert _collapse_limit() == default
        assert _collapse_limit() == "1"
    assert _collapse_limit() == default
