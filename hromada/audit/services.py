"""The audit chains' write path: ``record`` (a service's change; ``batch`` writes a service's entries in one
statement), ``audited_read`` (a read, download or export), ``save_with_audit`` / ``delete_with_audit`` (the Django
admin); and the chains' check."""
from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connections, transaction
from django.db.models import Field, Max, Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from hromada.core import partitions, throttle
from hromada.core.batching import WriteBatch
from hromada.core.context import accept_or_new, current_request_id
from hromada.core.db import prepared
from hromada.core.errors import RateLimited, ValidationFailed
from hromada.core.registry import Slot

from . import blocks, guard
from .checkpoints import Checkpoint
from .fields import TERM_TABLE, TermCollision, TermField, known_words, term_code, unknown_code
from .models import AuditBlock, AuditChainHead, AuditEntry, AuditTerm

GENESIS = "0" * 64
# Who acts: a signed-in user, the anonymous one (a failed sign-in), or None (the system: a task, a command). The
# accounts app is a floor neighbour this chain must not import (pyproject's contracts): Django's base classes.
Actor = AbstractBaseUser | AnonymousUser | None
P = ParamSpec("P")
R = TypeVar("R")


def hashed_payload(fields: dict) -> str:
    """The text an entry's hash covers after the previous hash (the PostgreSQL append hashes the same text)."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def entry_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + hashed_payload(fields)).encode()).hexdigest()


def follows(entry: AuditEntry, prev_hash: str) -> bool:
    """True if ``entry``'s stored hash is its content chained onto ``prev_hash`` (hex): it is the next link."""
    return entry_hash(prev_hash, hashed_fields(entry)) == entry.hash_hex


def hashed_fields(entry: AuditEntry) -> dict:
    return {
        "at": entry.at.astimezone(UTC).isoformat(), "actor_id": entry.actor_id,
        "actor_username": entry.actor_username, "actor_role": entry.actor_role, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id, "hromada_id": entry.hromada_id,
        "ip": entry.ip, "request_id": entry.request_id, "details": entry.details,
    }


def _normalize_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address. Behind our own reverse proxy (SECURE_PROXY_SSL_HEADER set) the proxy appends
    the real peer to X-Forwarded-For, so the *last* entry is trusted; earlier ones are client-supplied."""
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded and _normalize_ip(forwarded[-1]):
            return _normalize_ip(forwarded[-1])
    return _normalize_ip(request.META.get("REMOTE_ADDR"))


def request_id_for(request: HttpRequest | None) -> str:
    """The request's correlation id: set by hromada.ops' RequestIdMiddleware, else assigned here once.
    A well-formed incoming X-Request-ID (from our proxy) is kept so logs can be joined."""
    if request is None:
        return current_request_id()  # a Celery task started by a request carries its id
    rid = getattr(request, "request_id", "")
    if not rid:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = accept_or_new(incoming)
        request.request_id = rid  # type: ignore[attr-defined]  # kept on the request for the rest of it
    return rid


# ---- chains ------------------------------------------------------------------------------------------------
# The log is split into chains, one per oblast (the oblast unit's id) and chain 0 for entries of no oblast (about no
# hromada, by an actor of none: ``_chain_of``), each with its own head row: appends in different oblasts lock
# different rows and never wait on each other.
#
# A transaction appends to ONE chain: its first append picks it from the first entry's hromada (else its actor's
# oblast) and locks that head;
# every later entry of the transaction joins the same chain whatever its hromada (a chain is a partition of the
# log, not a statement about the entry). So a transaction holds at most one head lock and two transactions can
# never wait on each other's heads in opposite order.
#
# The head is locked by the append itself, LAST (hromada.core.db's lock order): services batch their entries
# (``batch``), so the append is the transaction's last write and the head is held only until COMMIT. On PostgreSQL
# the append is ONE statement (lock the head, chain the hashes in SQL, insert, move the head); SQLite, which
# serialises writers anyway, reads the head, inserts and moves it in Python.
#
# Which chain the transaction holds lives in ``connection.run_on_commit`` (markers registered with ``on_commit``):
# Django drops the markers of a rolled-back savepoint as the database releases the lock taken in it and the rows
# written in it, and a new transaction starts with none. On SQLite the head's values are kept on the marker; after
# an append whose marker a savepoint rollback dropped, they are read again.

# Provided by hromada.territory (TerritoryConfig.ready): (hromada unit id) -> the id of its oblast, or 0.
oblast_of_hromada = Slot("audit.oblast_of_hromada")
_chain_keys: dict[int, int] = {}
# Provided by hromada.offices (OfficesConfig.ready): (office id) -> the unit it works in (its hromada, else its
# territory), or None. Kept per process: an office that moves changes only which head its staff's reads queue on.
unit_of_office = Slot("audit.unit_of_office")
_office_units: dict[int, int | None] = {}


def chain_key(hromada_id: int | None) -> int:
    """The chain of entries about ``hromada_id`` (its oblast); 0 without a hromada. Cached: never changes."""
    if not hromada_id:
        return 0
    key = _chain_keys.get(hromada_id)
    if key is None:
        key = _chain_keys[hromada_id] = int(oblast_of_hromada(hromada_id) or 0)
    return key


def forget_office_chain(office_id: int) -> None:
    """An office saved or deleted: where its staff's entries about no hromada go is looked up again."""
    _office_units.pop(office_id, None)


def _chain_of(entry: AuditEntry) -> int:
    """The chain a transaction's first entry opens: its hromada's oblast. An entry about no one hromada (a back
    office's queue, a search across hromadas, a raion's list) opens its actor's oblast — the office's, else the user's
    territory's — so that such reads in different oblasts do not queue on one head either; 0 for an actor of no
    oblast (the ministry, an auditor, the system)."""
    if entry.hromada_id:
        return chain_key(entry.hromada_id)
    actor = entry.actor if entry.actor_id else None
    office_id = getattr(actor, "office_id", None)
    unit = None
    if office_id:
        if office_id not in _office_units:
            _office_units[office_id] = unit_of_office(office_id)
        unit = _office_units[office_id]
    return chain_key(unit or getattr(actor, "territory_id", None))


class _Held:
    """Marker: this transaction holds the head lock of ``chain``; ``appends`` made since (each with its marker).
    ``head``: the head row as last read or written (SQLite; PostgreSQL's append reads it in its statement)."""
    def __init__(self, chain: int, head: AuditChainHead | None = None) -> None:
        self.head = head
        self.chain = chain
        self.appends = 0

    def __call__(self) -> None:  # run after commit: nothing to do
        pass


class _Appended:
    """Marker: one append of this transaction (dropped with the savepoint it was made in)."""
    def __call__(self) -> None:
        pass


def _held() -> _Held | None:
    connection = transaction.get_connection()
    for _sids, func, *_rest in connection.run_on_commit:
        if isinstance(func, _Held):
            return func
    return None


def _head_is_current(held: _Held) -> bool:
    """The held head object still says what the database says: no append of ours was rolled back since."""
    connection = transaction.get_connection()
    return held.appends == sum(isinstance(func, _Appended) for _sids, func, *_rest in connection.run_on_commit)


def _ensure_head(chain: int) -> None:
    """The chain's first entry: create its head (a concurrent first writer loses the unique race and waits)."""
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(chain=chain)


def _lock_chain_head(chain: int) -> AuditChainHead:
    """SQLite's append: lock (SQLite: the writer's lock is the database's) and read the head of the chain this
    transaction appends to (``chain`` if none is held yet) for the rest of the transaction."""
    held = _held()
    if held is not None and held.head is not None:
        return held.head
    if held is not None:
        chain = held.chain
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        _ensure_head(chain)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    if held is None:
        transaction.on_commit(_Held(chain, head))
    else:
        held.head = head
    return head


def _new_entry(*, actor: Actor, action: str, obj: Model | None = None, object_type: str = "",
               object_id: object = None, hromada_id: int | None = None, request: HttpRequest | None = None,
               details: dict | None = None) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if hromada_id is None:
            hromada_id = getattr(obj, "hromada_id", None)
    authenticated = getattr(actor, "is_authenticated", False)
    return AuditEntry(
        at=timezone.now(), actor=cast(Any, actor) if authenticated else None,  # the user model (AUTH_USER_MODEL)
        actor_username=actor.username if authenticated else "", actor_role=getattr(actor, "role", "") or "",
        action=action, object_type=object_type, object_id="" if object_id is None else str(object_id)[:64],
        hromada_id=hromada_id, ip=client_ip(request), request_id=request_id_for(request),
        details=json.loads(json.dumps(details or {}, default=str)))


def _append(entries: list[AuditEntry]) -> None:
    """Chain ``entries`` onto the transaction's chain and write them in ONE statement, moving the head."""
    if transaction.get_connection().vendor == "postgresql":
        held = _held()
        chain = held.chain if held is not None else _chain_of(entries[0])
        append = _append_one_in_sql if len(entries) == 1 else _append_in_sql
        if not append(entries, chain):
            _ensure_head(chain)
            if not append(entries, chain):
                raise AuditChainHead.DoesNotExist(f"audit chain {chain} has no head")
        if held is None:
            transaction.on_commit(_Held(chain))
        return
    held = _held()
    if held is None or held.head is None:
        _lock_chain_head(_chain_of(entries[0]))   # locked and read: its values are current
        held = cast(_Held, _held())
    elif not _head_is_current(held):
        # A savepoint rolled back entries of ours (and the head's update): read the tail again.
        held.head = AuditChainHead.objects.get(pk=held.head.pk)
        held.appends = sum(isinstance(f, _Appended) for _s, f, *_r in transaction.get_connection().run_on_commit)
    head = cast(AuditChainHead, held.head)
    prev_hash = head.last_hash
    for entry in entries:
        entry.chain = head.chain
        prev_hash = entry_hash(prev_hash, hashed_fields(entry))
        entry.hash = bytes.fromhex(prev_hash)
    if len(entries) == 1:
        entries[0].save()
    else:
        AuditEntry.objects.bulk_create(entries)
    if entries[-1].pk is None:  # a backend that does not return ids from a bulk insert
        entries[-1].pk = AuditEntry.objects.get(hash=entries[-1].hash).pk
    before = head.last_id, head.last_hash
    head.last_id, head.last_hash = entries[-1].pk, prev_hash
    try:
        head.save(update_fields=["last_id", "last_hash"])
    except BaseException:
        head.last_id, head.last_hash = before   # the cached head keeps saying what the database says
        raise
    transaction.on_commit(_Appended())
    held.appends += 1


# The columns the chain fills; every other column is the entry's content.
_CHAINED = frozenset({"chain", "hash"})


_TERM_FIELDS = tuple(f for f in AuditEntry._meta.concrete_fields if isinstance(f, TermField))


# The codes this process knows to be in the term table, per database. An append whose words are all known leaves
# the term table out of its statement (~0.1 ms of every audited request). Learned from this process's own appends once
# they committed: the table only grows (the application may not delete a word); forgotten when the tables are emptied
# (``flush``, ``restore``: the application is stopped during a restore, and starts knowing none).
_stored_words: dict[str, set[int]] = {}


def forget_stored_words() -> None:
    _stored_words.clear()


def store_words_of_entries() -> None:
    """The term table's rows for every word the entries hold and the table lacks, from the words this process coded:
    after a ``db.json`` restore, whose ``loaddata`` wrote the entries' words as codes without the table's rows when
    the dump came from SQLite (whose table is empty) or from a release before the codes. One pass over the log: a
    ``db.json`` is the fallback of small installations (a ``pg_dump`` brings the rows)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    columns = [connection.ops.quote_name(f.column) for f in _TERM_FIELDS]
    union = " UNION ".join(f"SELECT {c} AS code FROM {table}" for c in columns)  # noqa: S608 — the model's columns
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code FROM ({union}) codes WHERE code <> 0 "  # noqa: S608
                       f"AND NOT EXISTS (SELECT FROM {connection.ops.quote_name(TERM_TABLE)} t WHERE t.id = code)")
        missing = {row[0] for row in cursor.fetchall()}
    words = known_words()
    AuditTerm.objects.bulk_create([AuditTerm(id=c, name=words[c]) for c in sorted(missing) if c in words],
                                  ignore_conflicts=True)


def _new_words(entries: list[AuditEntry], alias: str) -> tuple[list[int], list[str]] | None:
    """The words of ``entries`` not known to be stored, as the append's two arrays (codes, words) in code order (two
    appends adding the same new words lock them in one order); None when every word is known."""
    stored = _stored_words.setdefault(alias, set())
    words = {getattr(e, f.attname) for e in entries for f in _TERM_FIELDS} - {""}
    pairs = sorted((term_code(w), w) for w in words)
    if all(code in stored for code, _w in pairs):
        return None
    return [c for c, _w in pairs], [w for _c, w in pairs]


def _learn_words(new: tuple[list[int], list[str]] | None, alias: str) -> None:
    """After an append wrote ``new`` words: known once its transaction commits (at once outside a transaction)."""
    if new is not None:
        codes = new[0]
        transaction.on_commit(lambda: _stored_words.setdefault(alias, set()).update(codes), using=alias)


@dataclass(frozen=True)
class _AppendStatements:
    fields: tuple[Field, ...]   # the entry's content fields, in the statements' column order
    one: str              # ``_append_one_in_sql``'s
    many: str             # ``_append_in_sql``'s


@functools.cache
def _append_statements(alias: str, new_words: bool) -> _AppendStatements:
    """Both append statements, built once per process, database and ``new_words`` (whether they also write the
    entries' words): they depend on the models only, and building the one-entry statement took ~0.28 ms of every
    audited read (bench/README.md)."""
    connection: Any = connections[alias]
    qn = connection.ops.quote_name
    meta = AuditEntry._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and f.name not in _CHAINED]
    table, heads, pk = qn(meta.db_table), qn(AuditChainHead._meta.db_table), qn(meta.pk.column)
    next_id = f"nextval(pg_get_serial_sequence('{meta.db_table}', '{meta.pk.column}')::regclass)"
    columns = ", ".join(qn(f.column) for f in fields)
    # The type without a length (varchar rather than varchar(64)), as Django's own UNNEST insert.
    types = [f.db_type(connection).split("(")[0] for f in fields]
    lock_head = f"head AS (SELECT id, last_hash::text AS last_hash FROM {heads} WHERE chain = %s FOR UPDATE)"  # noqa: S608
    # The entries' words, each written once (hromada.audit.fields); a word already there is left as it is.
    terms = (f"terms AS (INSERT INTO {qn(TERM_TABLE)} (id, name) "  # noqa: S608
             f"SELECT * FROM unnest(%s::integer[], %s::text[]) ON CONFLICT DO NOTHING), ") if new_words else ""
    # Identifiers from the models, quoted by the backend; every value is a parameter.
    one = (
        f"WITH {terms}{lock_head}, "  # noqa: S608
        f"ins AS (INSERT INTO {table} ({pk}, {columns}, {qn('chain')}, {qn('hash')}) "
        f"SELECT {next_id}, {', '.join(f'%s::{t}' for t in types)}, %s, "
        f"sha256(convert_to(head.last_hash || %s::text, 'UTF8')) FROM head "
        f"RETURNING {pk}, {qn('hash')}) "
        f"UPDATE {heads} SET last_id = ins.{pk}, last_hash = encode(ins.{qn('hash')}, 'hex') FROM ins, head "
        f"WHERE {heads}.id = head.id RETURNING ins.{pk}, ins.{qn('hash')}")
    names = [f"c{i}" for i in range(len(fields))]

    def link(prev: str) -> str:
        return f"encode(sha256(convert_to({prev} || r.payload, 'UTF8')), 'hex')"

    many = (
        f"WITH RECURSIVE {terms}{lock_head}, "  # noqa: S608
        f"r AS (SELECT * FROM unnest({', '.join(f'%s::{t}[]' for t in types)}, %s::text[]) "
        f"WITH ORDINALITY AS r({', '.join(names)}, payload, n)), "
        f"chained (n, id, hash) AS ("
        f"SELECT r.n, {next_id}, {link('head.last_hash')} FROM head JOIN r ON r.n = 1 "
        f"UNION ALL SELECT r.n, {next_id}, {link('c.hash')} FROM chained c JOIN r ON r.n = c.n + 1), "
        f"ins AS (INSERT INTO {table} ({pk}, {columns}, {qn('chain')}, {qn('hash')}) "
        f"SELECT c.id, {', '.join('r.' + n for n in names)}, %s, decode(c.hash, 'hex') "
        f"FROM r JOIN chained c ON c.n = r.n) "
        f"UPDATE {heads} SET last_id = t.id, last_hash = t.hash "
        f"FROM (SELECT id, hash FROM chained ORDER BY n DESC LIMIT 1) t, head WHERE {heads}.id = head.id "
        f"RETURNING (SELECT array_agg(id ORDER BY n) FROM chained), (SELECT array_agg(hash ORDER BY n) FROM chained)")
    return _AppendStatements(fields=tuple(fields), one=one, many=many)


def _append_in_sql(entries: list[AuditEntry], chain: int) -> bool:
    """PostgreSQL: lock the chain's head, chain the entries' hashes onto it, insert them and move the head — ONE
    statement. False (nothing written) when the chain has no head row yet.

    The hash is ``entry_hash``'s, computed by the database: sha256 of the previous hash followed by the entry's
    ``hashed_payload`` (made here, in Python, from the same values that are inserted), the previous hash in hex (as
    the head keeps it), the entry's stored as bytes; ``verify_chain`` checks it in Python. A recursive CTE chains
    the batch in order and takes each entry's id from the sequence in that order (ids ascend along the chain, as
    ``verify_chain`` walks it); each content column is sent as one array."""
    connection = transaction.get_connection()
    new = _new_words(entries, connection.alias)
    statements = _append_statements(connection.alias, new is not None)
    values = [[f.get_db_prep_save(getattr(e, f.attname), connection) for e in entries] for f in statements.fields]
    payloads = [hashed_payload(hashed_fields(e)) for e in entries]
    with connection.cursor() as cursor:
        cursor.execute(statements.many, [*(new or ()), chain, *values, payloads, chain])
        row = cursor.fetchone()
    if row is None:
        return False
    ids, hashes = row
    for entry, pk_value, hash_ in zip(entries, ids, hashes, strict=True):
        entry.pk, entry.chain, entry.hash = pk_value, chain, bytes.fromhex(hash_)
        entry._state.adding, entry._state.db = False, connection.alias
    _learn_words(new, connection.alias)
    return True


def _append_one_in_sql(entries: list[AuditEntry], chain: int) -> bool:
    """``_append_in_sql`` for one entry — every audited read appends one: its values as plain parameters and one link,
    without the arrays and the recursion, so the statement is quicker to send, parse and plan (a read's append
    1.4 → 1.0 ms at 1 M, bench/README.md). The hash is ``entry_hash``'s, as there."""
    [entry] = entries
    connection = transaction.get_connection()
    new = _new_words(entries, connection.alias)
    statements = _append_statements(connection.alias, new is not None)
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in statements.fields]
    with prepared(connection.alias), connection.cursor() as cursor:   # planned once per connection: no value skews it
        cursor.execute(statements.one, [*(new or ()), chain, *values, chain, hashed_payload(hashed_fields(entry))])
        row = cursor.fetchone()
    if row is None:
        return False
    entry.pk, entry.chain, entry.hash = row[0], chain, bytes(row[1])
    entry._state.adding, entry._state.db = False, connection.alias
    _learn_words(new, connection.alias)
    return True


def _append_atomically(entries: list[AuditEntry]) -> None:
    with transaction.atomic(savepoint=False):
        _append(entries)


_entries: WriteBatch[AuditEntry] = WriteBatch(_append_atomically)


def batch() -> AbstractContextManager[None]:
    """Entries ``record``-ed inside are appended together, in one INSERT, when the block ends (inside the caller's
    transaction: a service that writes several entries wraps its body in ``with transaction.atomic(), batch():``).
    Until then ``record`` returns entries without an id. Nested blocks join the outermost one; an exception
    discards the pending entries (the transaction rolls back anyway)."""
    return _entries.collect()


def batched(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service so the entries it records are appended together when it returns (``batch`` around its
    body): its append is then its last write and the chain head its last lock (hromada.core.db)."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with batch():
            return func(*args, **kwargs)
    return wrapper


def record(*, actor: Actor, action: str, obj: Model | None = None, object_type: str = "", object_id: object = None,
           hromada_id: int | None = None, request: HttpRequest | None = None,
           details: dict | None = None) -> AuditEntry:
    """Append one entry (who, when, what, from where). Services call it inside their transaction so a
    rolled-back change leaves no entry; reads, downloads and exports go through ``audited_read`` instead.

    Personal data does not go into ``details``: identify objects by type and id.
    """
    entry = _new_entry(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                       hromada_id=hromada_id, request=request, details=details)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql" and not connection.in_atomic_block and not _entries.collecting():
        # A read's entry outside any transaction: PostgreSQL's append is one statement, a transaction by itself
        # (autocommit), so it needs no BEGIN and COMMIT around it — two round trips less on every audited read.
        _append([entry])
        return entry
    # No savepoint of its own inside the caller's transaction (a failed append fails the whole change anyway).
    with transaction.atomic(savepoint=False):
        return _entries.add(entry)


@dataclass(frozen=True)
class ChainProblem:
    kind: str          # broken (edited, or deleted/inserted/moved before) | head_mismatch (tail deleted/appended)
                       # | checkpoint_mismatch (rewritten or cut short since a checkpoint) | checkpoint_invalid
                       # | term_changed, term_missing (PostgreSQL: a word the entries hold as a code)
    entry_id: int | None
    position: int | None
    message: str
    chain: int = 0


@dataclass
class _Walk:
    prev_hash: str = GENESIS
    prev_id: int | None = None
    position: int = 0


def verify_chain(*, batch_size: int = 2000, checkpoints: Sequence[Checkpoint] = ()) -> tuple[int, list[ChainProblem]]:
    """Walk every chain (the whole log once, in id order, keeping each chain's tail); return (entries checked,
    problems). Positions count within an entry's chain.

    * an entry whose stored hash is not the sha256 of the previous entry's hash (in its chain) and its own content
      is ``broken``: it was edited, or an entry before it was deleted, or it was inserted or moved (reordered, or
      its chain key changed). The previous hash is not stored twice (#24), so the log alone cannot tell these
      apart; the walk goes on from the stored hash (the next entry checks fine), and the backups and the signed
      checkpoints say which;
    * a chain head (last id/hash) not matching the chain's last entry means its tail was deleted or extended;
    * an entry at a checkpoint's position that is not the entry (id, hash) the checkpoint signed for that chain,
      or a chain shorter than a checkpoint, means the chain was rewritten (re-hashed) or cut short since —
      whatever the hashes inside the database say (hromada.audit.checkpoints).
    """
    problems: list[ChainProblem] = []
    anchors: dict[tuple[int, int], list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        if not checkpoint.valid:
            problems.append(ChainProblem(
                "checkpoint_invalid", None, None,
                f"checkpoint {checkpoint.name}: unreadable or its signature does not match — forged, altered, "
                f"or signed with another key"))
        else:
            anchors.setdefault((checkpoint.chain, checkpoint.count), []).append(checkpoint)
    walks: dict[int, _Walk] = {}
    checked = 0
    words: set[str] = set()

    def check(entry: AuditEntry, linked: bool) -> None:
        """One entry of the walk, in id order: ``linked`` says whether it chains onto its chain's tail."""
        nonlocal checked
        checked += 1
        words.update(getattr(entry, f.attname) for f in _TERM_FIELDS)
        walk = walks.setdefault(entry.chain, _Walk())
        walk.position += 1
        position, where = walk.position, f"chain {entry.chain}, position {walk.position}"
        stored = entry.hash_hex
        if not linked:
            after = f"after entry {walk.prev_id}" if walk.prev_id else "at the start of the chain"
            problems.append(ChainProblem(
                "broken", entry.pk, position,
                f"entry {entry.pk} ({where}): does not match its hash linked {after} — edited, or an entry "
                f"before it was deleted, or it was inserted or moved", entry.chain))
        for checkpoint in anchors.pop((entry.chain, position), []):
            if (checkpoint.entry_id, checkpoint.hash) != (entry.pk, stored):
                problems.append(ChainProblem(
                    "checkpoint_mismatch", entry.pk, position,
                    f"{where}: checkpoint {checkpoint.name} ({checkpoint.at}) signed entry "
                    f"{checkpoint.entry_id} with hash {checkpoint.hash[:16]}…, the chain now has entry "
                    f"{entry.pk} with hash {stored[:16]}… — the chain was rewritten or entries before "
                    f"it were removed", entry.chain))
        walk.prev_hash, walk.prev_id = stored, entry.pk

    # The packed part first (docs/decisions/0003), then the rows after it: one sequence in id order.
    last_id = 0
    for block in AuditBlock.objects.order_by("last_id").iterator(chunk_size=50):
        last_id = block.last_id
        problems.extend(_block_problems(block, walks, check))
    while True:
        batch_ = list(AuditEntry.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch_:
            break
        for entry in batch_:
            check(entry, follows(entry, walks[entry.chain].prev_hash if entry.chain in walks else GENESIS))
        last_id = batch_[-1].pk
    for chain, count in sorted(anchors):
        for checkpoint in anchors[(chain, count)]:
            has = walks[chain].position if chain in walks else 0
            problems.append(ChainProblem(
                "checkpoint_mismatch", None, count,
                f"chain {chain}: checkpoint {checkpoint.name} ({checkpoint.at}) signed {count} entries ending with "
                f"entry {checkpoint.entry_id}, the chain now has {has} — entries were removed (truncated)", chain))
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    for chain in sorted(set(heads) | set(walks)):
        head, walk = heads.get(chain), walks.get(chain, _Walk())
        head_id, head_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
        if (head_id or None) != walk.prev_id or head_hash != walk.prev_hash:
            problems.append(ChainProblem(
                "head_mismatch", walk.prev_id, walk.position or None,
                f"chain {chain}: head points to entry {head_id or '—'} but the last entry is {walk.prev_id or '—'} "
                f"(position {walk.position}) — entries at the end were deleted or appended outside the "
                f"application", chain))
    return checked, problems + _term_problems(words)


def _block_problems(block: AuditBlock, walks: dict[int, _Walk],
                    check: Callable[[AuditEntry, bool], None]) -> list[ChainProblem]:
    """A block of the walk: each chain in it must go on from the walk's tail (the hash the block says it follows),
    and its entries, hashed again from their content, must end on the hash the block keeps; each entry is then
    checked as a row is (positions, checkpoints). A changed entry, a removed or added one, or a block removed or
    put back out of order breaks its chain here or at the next block or row."""
    found: list[ChainProblem] = []
    tails = {chain: walk.prev_hash for chain, walk in walks.items()}
    kept = {int(c): v for c, v in block.chains.items()}
    for chain, (_n, before, _after) in sorted(kept.items()):
        if before != tails.get(chain, GENESIS):
            after_id = walks[chain].prev_id if chain in walks else None
            found.append(ChainProblem(
                "broken", block.first_id, None,
                f"block {block.first_id}–{block.last_id}, chain {chain}: does not follow "
                f"{f'entry {after_id}' if after_id else 'the start of the chain'} — a block or entries before it "
                f"were removed, changed or reordered", chain))
    try:
        entries = blocks.decode(block)   # from the block's own hashes before: a broken link is reported once, above
    except ValueError as exc:
        return [*found, ChainProblem("broken", block.first_id, None, f"{exc} — the block was altered", 0)]
    held_by: dict[int, list[AuditEntry]] = {}
    for entry in entries:
        check(entry, True)
        held_by.setdefault(entry.chain, []).append(entry)
    for chain, (n, _before, after) in sorted(kept.items()):
        held = held_by.get(chain, [])
        if len(held) != n or (held and held[-1].hash_hex != after):
            found.append(ChainProblem(
                "broken", held[-1].pk if held else block.first_id, walks[chain].position if chain in walks else None,
                f"block {block.first_id}–{block.last_id}, chain {chain}: its entries hashed again do not end on the "
                f"hash the block keeps — an entry in it was edited, removed, added or moved", chain))
            walks.setdefault(chain, _Walk()).prev_hash = after   # the next link is checked against what the block says
    return found


def _term_problems(words: set[str]) -> list[ChainProblem]:
    """PostgreSQL: entries hold their words as codes, each word kept once in the term table (hromada.audit.fields).
    The walk read the words this process knows; a word changed in the table (no longer the word of its code) or
    missing from it would make another process read the entries as another word, or as a number."""
    if transaction.get_connection().vendor != "postgresql":
        return []
    stored = dict(AuditTerm.objects.values_list("id", "name"))
    problems = []
    for code, name in sorted(stored.items()):
        try:
            changed = term_code(name) != code
        except TermCollision:
            changed = True
        if changed:
            problems.append(ChainProblem("term_changed", None, None, f"audit word {code} reads {name!r}, which is "
                                         f"not the word of that code — the term table was changed"))
    for word in sorted(words - {""}):
        unknown = unknown_code(word)
        if unknown is None and term_code(word) in stored:
            continue
        shown = f"code {unknown}" if unknown is not None else f"{word!r} (code {term_code(word)})"
        problems.append(ChainProblem("term_missing", None, None, f"audit word {shown} is held by entries but missing "
                                     f"from the term table — removed outside the application"))
    return problems


# --- Reads of personal data, and per-user limits -------------------------------------------------------------
security_log = logging.getLogger("hromada.security")
# Personal-data reads (pages, cards, searches, lists) one user may make: (requests, window in seconds). Generous
# for a desk or a back office working by hand; a script pulling a registry page after page stops at it.
READ_LIMIT = (300, 300)


def enforce_limit(*, actor: Actor, kind: str, limit: int, window: int, request: HttpRequest | None = None,
                  amount: int = 1) -> None:
    """Count ``amount`` of ``kind`` for the user; above ``limit`` in the window refuse with 429 ``rate_limited``
    and raise a security alert (one ``security.alert`` audit entry and a log warning per user, kind and window).
    ``amount=0`` only checks a budget others fill (e.g. failed lookups)."""
    subject = getattr(actor, "pk", None) or "anonymous"
    used = throttle.count(kind, subject, window=window, amount=amount) if amount else throttle.peek(
        kind, subject, window=window)
    if used <= limit and (amount or used < limit):
        return
    if throttle.first_time(kind, subject, window=window):
        record(actor=actor, action="security.alert", object_type="accounts.user", object_id=subject, request=request,
               details={"kind": kind, "limit": limit, "window_seconds": window, "count": used})
        security_log.warning("rate limit exceeded: %s by user %s (%s in %ss)", kind, subject, used, window)
    raise RateLimited()


class Shown(Protocol):
    """A record shown that is not a model instance (a list read as values): its id, and its hromada if it has one."""
    pk: Any


def audited_read(*, actor: Actor, action: str, objects: Iterable[Model | Shown] = (), object_type: str = "",
                 request: HttpRequest | None = None, hromada_id: int | None = None,
                 details: dict | None = None, limit: bool = True, object_id: object = None) -> AuditEntry:
    """The one way a read is audited: ONE entry per card, list page, search, answer, download or export, naming
    every record shown (``details.ids``; an empty page is recorded too — a miss is a read). Views and API
    handlers call it right after the selector; over the user's read limit it refuses (429) instead.
    Views, API handlers and selectors never call ``record`` themselves: a read's entry comes from here, a
    change's entry from the service making it.

    A read of something that is not a list of model rows (a period's register, a monitoring table, a scan of an
    application) names it by ``object_type`` + ``object_id`` instead of ``objects`` (no ``ids`` then); downloads
    and exports pass ``limit=False`` (they are not counted against the personal-data read limit).

    ``details`` must not hold personal data (no query text): say what kind of query it was.
    """
    if limit:
        reads, window = getattr(settings, "HROMADA_READ_LIMIT", READ_LIMIT)
        enforce_limit(actor=actor, kind="personal_data_read", limit=reads, window=window, request=request)
    objects = list(objects)
    ids = [obj.pk for obj in objects]
    if objects and not object_type:
        if not isinstance(objects[0], Model):
            raise TypeError("records read as values name their object_type")
        object_type = objects[0]._meta.label_lower
    if hromada_id is None and objects:
        homes = {getattr(obj, "hromada_id", None) or getattr(obj, "registered_hromada_id", None) for obj in objects}
        hromada_id = homes.pop() if len(homes) == 1 else None
    if object_id is not None and not objects:
        return record(actor=actor, action=action, object_type=object_type, object_id=object_id,
                      hromada_id=hromada_id, request=request, details=details)
    return record(actor=actor, action=action, object_type=object_type,
                  object_id=ids[0] if len(ids) == 1 else object_id, hromada_id=hromada_id, request=request,
                  details={**(details or {}), "ids": ids, "count": len(ids)})


# ---- changes made in the Django admin ------------------------------------------------------------------------

NEVER_SHOWN = frozenset({"password", "key_hash"})


def _changed(obj: Model, old: dict | None, shown: Sequence[str] | None) -> dict:
    """{field: [old, new]} of the changed fields whose values may be shown, {field: None} for the others."""
    changes: dict = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        before = None if old is None else old[field.attname]
        after = getattr(obj, field.attname)
        if before == after:
            continue
        visible = field.name not in NEVER_SHOWN and (shown is None or field.name in shown)
        changes[field.name] = [before, after] if visible else None
    return changes


@transaction.atomic
def save_with_audit(*, actor: Actor, obj: Model, request: HttpRequest | None = None,
                    shown: Sequence[str] | None = None) -> AuditEntry | None:
    """Save a reference row changed in the Django admin (a role, a user's scope, an office, service terms, a
    holiday) and append ``admin.create`` / ``admin.change`` with the old and new value of each changed field.

    ``shown``: the fields whose values are written (None: all); other changed fields (personal data, secrets —
    never a password hash) are named without values. Nothing changed → nothing recorded.
    """
    model = type(obj)
    attnames = [f.attname for f in model._meta.concrete_fields]
    old = model._default_manager.filter(pk=obj.pk).values(*attnames).first() if obj.pk is not None else None
    obj.save()
    changes = _changed(obj, old, shown)
    if old is not None and not changes:
        return None
    return record(actor=actor, action="admin.create" if old is None else "admin.change", obj=obj, request=request,
                  details={"changes": changes})


def _related_names(obj: Model, field: Field[Any, Any]) -> list[str]:
    return sorted(str(row) for row in getattr(obj, field.name).all())


@transaction.atomic
def save_relations_with_audit(*, actor: Actor, obj: Model, save_m2m: Callable[[], None],
                              request: HttpRequest | None = None) -> AuditEntry | None:
    """Many-to-many relations changed in the Django admin (a user's groups and permissions, a group's
    permissions): ``save_m2m`` (the admin form's) writes them; ``admin.change`` records the old and new members
    by name. Nothing changed → nothing recorded."""
    fields = list(type(obj)._meta.many_to_many)
    old = {f.name: _related_names(obj, f) for f in fields}
    save_m2m()
    changes = {f.name: [old[f.name], now] for f in fields if (now := _related_names(obj, f)) != old[f.name]}
    if not changes:
        return None
    return record(actor=actor, action="admin.change", obj=obj, request=request, details={"changes": changes})


@transaction.atomic
def delete_with_audit(*, actor: Actor, obj: Model, request: HttpRequest | None = None,
                      shown: Sequence[str] | None = None) -> AuditEntry:
    """Delete a reference row from the Django admin; ``admin.delete`` keeps the values it had (as ``shown``)."""
    values = {f.name: (getattr(obj, f.attname) if f.name not in NEVER_SHOWN and (shown is None or f.name in shown)
                       else None)
              for f in obj._meta.concrete_fields if not f.primary_key}
    # The entry is made before the row goes and appended after it: the chain head is the last lock (core.db).
    with batch():
        entry = record(actor=actor, action="admin.delete", obj=obj, request=request, details={"values": values})
        obj.delete()
    return entry


# ---- older entries packed in blocks (docs/decisions/0003) -----------------------------------------------------
# Months of the log older than the rows kept are packed by the owner (``manage.py pack_audit``): about 60 bytes an
# entry with its index (measured at 1 M) instead of about 300 as a row. The packing reads the entries in id order,
# hashes each again from its block (a broken chain is not packed: its evidence would be rewritten) and writes the
# blocks in one transaction; only then do the rows go, a month's partition at a time (PostgreSQL: no row is deleted
# one by one, the append-only trigger stays; SQLite: deleted under the guard's maintenance switch). Every
# reader goes by ``blocks.packed_through``: the rows up to it are read from the blocks, so a partition not yet dropped
# (a later month's rows with ids inside the packed range, or a drop interrupted) is never read twice.


@dataclass(frozen=True)
class Packed:
    blocks: int             # blocks written by this run
    entries: int            # entries packed by this run
    through_id: int         # every entry up to this id is in blocks
    dropped: list[str]      # PostgreSQL: the month partitions dropped
    deleted: int            # SQLite: the packed rows deleted
    kept: list[str]         # PostgreSQL: months before the cutoff whose partition still holds unpacked rows


def _utc_month(day: date) -> tuple[date, datetime]:
    first = date(day.year, day.month, 1)
    return first, datetime(first.year, first.month, 1, tzinfo=UTC)


def _chain_tails() -> dict[int, str]:
    """Each chain's hash after the newest block that holds it."""
    tails: dict[int, str] = {}
    for chains in AuditBlock.objects.order_by("last_id").values_list("chains", flat=True).iterator(chunk_size=2000):
        for chain, (_n, _before, after) in chains.items():
            tails[int(chain)] = after
    return tails


def pack_audit(*, before: date, block_size: int = blocks.BLOCK_SIZE, today: date | None = None) -> Packed:
    """Pack every entry older than the first day of ``before``'s month (UTC, as the partitions' bounds) that is not
    packed yet, then remove the rows packed. Refuses (``audit_pack_too_recent``) a month not yet over, and stops
    before writing anything (``audit_chain_broken``) at an entry that does not chain onto the one before it. The
    owner's work: run it as the owner (``manage.py pack_audit`` does). Two transactions: the blocks are committed
    before any row goes, so an interrupted drop leaves every entry readable (and the next run drops it)."""
    month, cutoff = _utc_month(before)
    this_month, _start = _utc_month(today or timezone.now().astimezone(UTC).date())
    if month > this_month:
        raise ValidationFailed(gettext("Записи до %(before)s включають місяць, що ще не минув: пакувати можна лише "
                                       "записи минулих місяців.") % {"before": f"{month:%d.%m.%Y}"},
                               code="audit_pack_too_recent")
    connection = transaction.get_connection()
    made, packed = 0, 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [blocks.PACK_LOCK])
        through = blocks.packed_through()
        upto = AuditEntry.objects.filter(pk__gt=through, at__lt=cutoff).aggregate(m=Max("pk"))["m"]
        if upto:
            tails = _chain_tails()
            last = through
            while last < upto:
                chunk = list(AuditEntry.objects.filter(pk__gt=last, pk__lte=upto).order_by("pk")
                             .values_list(*blocks.COLUMNS, "hash")[:block_size])
                before_hash: dict[int, str] = {}
                for row in chunk:
                    before_hash.setdefault(row[1], tails.get(row[1], GENESIS))
                    tails[row[1]] = bytes(row[-1]).hex()
                block = blocks.encode(chunk, before_hash, {c: tails[c] for c in before_hash})
                # Hashed again from the block, each entry must give the hash its row holds: every link holds (a
                # broken chain is not packed), and the block reads back as its rows.
                for (pk, digest), row in zip(blocks.hashes(block), chunk, strict=True):
                    if (pk, digest) != (row[0], bytes(row[-1]).hex()):
                        raise ValidationFailed(gettext(
                            "Запис журналу %(entry)s (ланцюжок %(chain)s) не збігається зі своїм хешем: журнал не "
                            "пакується, нічого не змінено. Перевірте його: manage.py verify_audit.")
                            % {"entry": row[0], "chain": row[1]}, code="audit_chain_broken")
                block.save()
                made, packed, last = made + 1, packed + len(chunk), chunk[-1][0]
        through = blocks.packed_through()
    dropped, kept, deleted = _remove_packed_rows(connection, month, through)
    return Packed(blocks=made, entries=packed, through_id=through, dropped=dropped, deleted=deleted, kept=kept)


def _remove_packed_rows(connection: Any, month: date, through: int) -> tuple[list[str], list[str], int]:
    table = AuditEntry._meta.db_table
    if connection.vendor != "postgresql":
        with guard.maintenance(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE id <= %s", [through])  # noqa: S608
            return [], [], cursor.rowcount
    dropped, kept = [], []
    for name, starts in partitions.month_partitions(connection, table):
        if starts >= month:
            break
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(name)}")  # noqa: S608 — a partition's name
            newest = cursor.fetchone()[0]
        if newest is None or newest <= through:
            partitions.drop_partition(connection, table, name)
            dropped.append(name)
        else:
            kept.append(name)
    return dropped, kept, 0
