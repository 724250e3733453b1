"""Whole-transaction helpers for services: retry on deadlock or serialization failure, and the files a failed
transaction wrote.

Lock order (one for every writing transaction):
1. number sequences (applications, children's and social cases),
2. the rows being changed (application, person, …),
3. the audit chain head, LAST: the append of the transaction's entries locks it (one statement on PostgreSQL,
   ``audit.services``), and services batch their entries (``audit.batch``) so the append is their last write
   before COMMIT. A transaction that takes the head as its last statement waits for nothing while holding it, so
   the head — the one row every writer of an oblast takes — can never close a cycle: writers queue on it, they
   do not deadlock on it. (Taking it first also prevented cycles, at the price of one more round trip per
   request, and held the oblast's head through the whole transaction.)
The retry is the safety net for anything the order cannot cover: a service that appends before a later lock
(an entry recorded outside a batch), a lock taken by the database itself, a serialization failure under a
stricter isolation level.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import random
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models.sql.subqueries import InsertQuery

log = logging.getLogger(__name__)

# PostgreSQL: serialization_failure, deadlock_detected.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
MAX_ATTEMPTS = 4

_local = threading.local()


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure (the whole transaction may simply run again)."""
    seen = exc
    while seen is not None:
        if (getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)) in RETRYABLE_SQLSTATES:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def serialize_on(*parts: object) -> None:
    """Run the rest of this transaction one at a time with every other transaction that names the same parts.
    PostgreSQL: a transaction advisory lock on a hash of the parts (released at COMMIT or ROLLBACK). SQLite's
    IMMEDIATE transactions already run one writer at a time, from BEGIN."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def _file_frames() -> list:
    frames = getattr(_local, "files", None)
    if frames is None:
        frames = _local.files = []
    return frames


def delete_if_rolled_back(storage, name: str) -> None:
    """Note a file just written for a row of the current transaction: if the enclosing ``write_transaction``
    call fails, the file is deleted with the rolled-back row. (Killed processes leave files no hook can see:
    ``manage.py sweep_orphan_files`` removes those.)"""
    frames = _file_frames()
    if frames:
        frames[-1].append((storage, name))


def _delete(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:  # the sweep finds it later
            log.warning("could not delete %s after a rollback", name, exc_info=True)


def write_transaction(func):
    """Decorate a service whose body is one ``transaction.atomic`` block.

    * Files noted with ``delete_if_rolled_back`` during a call that raises are deleted (the rows they belonged
      to were rolled back); on success they pass to the enclosing call, if any.
    * Called outside any transaction, a deadlock or serialization failure runs the whole call again
      (up to MAX_ATTEMPTS, with a short random pause); inside a caller's transaction it propagates, so the
      outermost service retries everything.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        frames = _file_frames()
        retry = not connection.in_atomic_block
        attempt = 0
        while True:
            attempt += 1
            frames.append([])
            try:
                result = func(*args, **kwargs)
            except BaseException as exc:
                _delete(frames.pop())
                if retry and attempt < MAX_ATTEMPTS and isinstance(exc, DatabaseError) and is_retryable(exc):
                    log.info("retrying %s after %s (attempt %s)", func.__qualname__, type(exc).__name__, attempt)
                    time.sleep(random.uniform(0.01, 0.05) * attempt)
                    continue
                raise
            done = frames.pop()
            if frames:
                frames[-1].extend(done)
            return result

    return wrapper


# ---- one request, one transaction, no savepoints that guard nothing ------------------------------------------
_lean = threading.local()


@contextlib.contextmanager
def all_or_nothing():
    """Inside, the services' own ``atomic()`` blocks open no savepoint: the caller (one request doing several
    services' work in its transaction, e.g. the offline intake) lets any error roll back everything and never
    catches one to carry on. A savepoint would guard nothing there and costs two round trips each."""
    depth = getattr(_lean, "depth", 0)
    _lean.depth = depth + 1
    try:
        yield
    finally:
        _lean.depth = depth


def in_all_or_nothing() -> bool:
    return getattr(_lean, "depth", 0) > 0 and connection.in_atomic_block


def atomic():
    """A service's transaction: ``transaction.atomic()``, without its savepoint inside ``all_or_nothing``."""
    return transaction.atomic(savepoint=not in_all_or_nothing())


# ---- a statement that rides with another ---------------------------------------------------------------------
def insert_returning_ids(objs: list) -> tuple[str, tuple]:
    """The INSERT of ``objs`` (rows of one model, not saved yet) returning their ids, as Django's ``bulk_create``
    would send it — for a service that sends it in the same round trip as another statement (a data-modifying CTE
    on PostgreSQL). ``mark_inserted`` then gives the objects their ids."""
    model = type(objs[0])
    query = InsertQuery(model)
    query.insert_values([f for f in model._meta.concrete_fields if not f.primary_key], objs)
    compiler = query.get_compiler(connection=transaction.get_connection())
    compiler.returning_fields = [model._meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, params


def mark_inserted(objs: list, rows: list) -> None:
    """``objs`` were written by ``insert_returning_ids``' statement, whose rows (one id each, in order) are ``rows``."""
    alias = transaction.get_connection().alias
    for obj, (pk, *_rest) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, alias



JOINS_AS_WRITTEN = "SET LOCAL join_collapse_limit = 1"


@contextlib.contextmanager
def joins_as_written() -> Iterator[None]:
    """PostgreSQL plans the block's queries with their joins in the order written (``join_collapse_limit = 1``).

    For a page of rows read from one filtered table with several many-to-one joins (``select_related``), the order
    written — the table first, then each related row by its key — is the plan, and searching every other order costs
    more than running the query: the back-office queue page's query was planned in 3–5 ms and ran in 0.6–0.9 ms at
    1 M; as written, 0.9 ms to plan (bench/README.md). ``SET LOCAL`` lasts as long as its transaction:
    * outside a transaction, each statement of the block is sent after the setting in one query string
      (``_after_joins_as_written``): PostgreSQL runs a string of statements as one implicit transaction, so the
      setting holds for that statement alone — one round trip, where a transaction of its own took four (BEGIN, SET,
      the query, COMMIT). That needs the parameters merged on the client, Django's default; a connection that binds
      them on the server cannot send two statements at once and gets the transaction;
    * inside one, the setting is reset when the block ends.
    SQLite: nothing to do."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            with connection.execute_wrapper(_after_joins_as_written):
                yield
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(JOINS_AS_WRITTEN)
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute(JOINS_AS_WRITTEN)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET join_collapse_limit")


def _after_joins_as_written(execute, sql, params, many, context):  # type: ignore[no-untyped-def]  # Django's wrapper
    """``joins_as_written``'s execute wrapper outside a transaction: the setting and the statement in one string."""
    if many or connection.in_atomic_block or getattr(context["cursor"].cursor, "name", None):
        # The statement as it is (the setting is a plan's hint, not its answer): a transaction begun inside the block
        # would keep SET LOCAL after the statement, and a named (server-side) cursor — ``.iterator()`` — wraps its
        # statement in DECLARE, where a second statement cannot stand.
        return execute(sql, params, many, context)
    result = execute(f"{JOINS_AS_WRITTEN}; {sql}", params, many, context)
    context["cursor"].cursor.nextset()     # the statement's own result comes after the setting's
    return result


# ---- statements prepared once per connection --------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"%%|%s")
# One statement that PREPARE takes (a string of several, or SET, DECLARE…, is passed as it is).
_PREPARABLE = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# A connection keeps at most this many (a statement's text varies with its IN lists: one per length seen).
PREPARED_PER_CONNECTION = 64
# The SQLSTATE of "cached plan must not change result type": a migration changed a column a prepared statement
# returns, under a connection that prepared it before; the statement fails on every run until prepared again.
_PLAN_RESULT_CHANGED = "0A000"


@dataclass
class _Prepared:
    session: Any           # the driver's connection: a new one (reconnected) holds none of them
    names: dict[str, tuple[str, int]] = field(default_factory=dict)   # statement text → (name, parameters)
    made: int = 0          # names given on this connection, the dropped ones included (they live until it closes)


def _prepared_on(conn: Any) -> _Prepared:
    """What the connection (Django's, one per thread) has prepared in its current session."""
    state = getattr(conn, "_hromada_prepared", None)
    if state is None or state.session is not conn.connection:
        state = conn._hromada_prepared = _Prepared(session=conn.connection)
    return state


def may_prepare(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Named prepared statements need a PostgreSQL session of their own that lasts (not PgBouncer's transaction
    pooling, nor a pool that hands a session to another thread) and values merged on the client (a server-bound
    EXECUTE cannot take parameters)."""
    conn = connections[alias]
    options = conn.settings_dict.get("OPTIONS", {})
    return (conn.vendor == "postgresql" and not getattr(settings, "HROMADA_PGBOUNCER", False)
            and not options.get("server_side_binding") and not options.get("pool"))


@contextlib.contextmanager
def prepared(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The block's statements are parsed, analysed and planned once per connection (``PREPARE``), then only run
    (``EXECUTE``) — for a statement whose values do not skew its plan, so that one plan suits every value: a person
    by her РНОКПП, an audit entry's append. The РНОКПП lookup's statement runs in 0.1 ms and was planned in 0.5–1 ms
    on every request (bench/README.md). Not for a scope's lists (a plan made once for a hromada of 500 residents does
    not suit one of 50,000), nor for a key a partial index holds (a plan for any value cannot use it).

    ``PREPARE`` is sent alone, without values, the first time a connection meets the statement (one round trip per
    connection and statement, not counted among a request's queries: it is the connection's, like its settings), so
    no resident's values stay with the prepared statement or in the server's log of it. SQLite, PgBouncer, a
    connection pool, server-bound values: nothing to do."""
    if not may_prepare(using):
        yield
        return
    with connections[using].execute_wrapper(_as_prepared):
        yield


def _numbered(sql: str) -> tuple[str, int]:
    """``sql`` with Django's ``%s`` placeholders as PostgreSQL's ``$1 … $n``, ``%%`` as the ``%`` it stands for (the
    text goes to the server as it is), and ``n``."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql), count


def _as_prepared(execute, sql, params, many, context):  # type: ignore[no-untyped-def]  # Django's wrapper
    cursor = context["cursor"].cursor
    if (many or getattr(cursor, "name", None) or not isinstance(params, (list, tuple))
            or not _PREPARABLE.match(sql) or ";" in sql):
        # executemany, a server-side cursor, named values, a statement PREPARE does not take: as they are.
        return execute(sql, params, many, context)
    conn = context["connection"]
    state = _prepared_on(conn)
    known = state.names.get(sql)
    if known is None:
        if state.made >= PREPARED_PER_CONNECTION:
            return execute(sql, params, many, context)
        body, count = _numbered(sql)
        if count != len(params):
            return execute(sql, params, many, context)
        name = f"hromada_{state.made}"
        state.made += 1    # a name is never given twice on a session, whatever becomes of its PREPARE
        with conn.wrap_database_errors, conn.connection.cursor() as raw:
            raw.execute(f"PREPARE {name} AS {body}")
        known = state.names[sql] = (name, count)
    name, count = known
    try:
        return execute(f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}",
                       params, many, context)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != _PLAN_RESULT_CHANGED:
            raise       # the statement's own error (its values, a timeout…): the prepared statement is sound
        del state.names[sql]       # it fails on every run now: prepared anew, under a new name, next time
        if conn.in_atomic_block:
            raise
        # Outside a transaction it failed alone (autocommit): run it as text this once.
        return execute(sql, params, many, context)
