"""The format of a block of packed audit entries (docs/decisions/0003; ``models.AuditBlock``).

The payload is the entries' columns as JSON lists, zlib level 9: a column of one word compresses to almost nothing,
which a row per entry cannot do. Ids and times are kept as differences; a request id of version 7 (the middleware's,
``core.context.new_request_id``) keeps only its random part and its time's distance from the entry's, and an id
repeated from the entry before is a 1 (format 2; ``columns_of`` reads format 1 too, and gives both as the same
columns). An entry's content is exactly what its hash covers
(``services.hashed_fields``), so the hash is recomputed, never stored: ``hashes`` chains each entry onto the hash
before it in its chain, from the hash the block keeps for the chain, and ``decode`` gives the entries back as
unsaved ``AuditEntry`` objects. Beside the payload a block keeps what finds it (``keys``) and what totals it without
unpacking (its counts per action, user and hromada).
"""
from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from .models import AuditBlock, AuditEntry

FORMAT = 2
_READABLE = (1, 2)
# PostgreSQL advisory lock of the packing: one pack at a time, and the counts a checkpoint signs are read while no
# pack is moving entries from rows into blocks (``checkpoints.current_heads``).
PACK_LOCK = 0x48524D41
BLOCK_SIZE = 1024
_CONTENT = ("actor_id", "actor_username", "actor_role", "action", "object_type", "object_id", "hromada_id", "ip",
            "request_id", "details")


def hromada_count_key(hromada_id: int | None) -> str:
    """The key of a hromada in a block's counts: "h<id>" ("h0": no hromada). Not the bare number, which a JSON path
    would read as an array index."""
    return f"h{hromada_id or 0}"


def object_key(object_type: str, object_id: object) -> str:
    return f"o:{object_type}:{object_id}"


# An entry as the packing reads it: its columns in this order, then its stored hash (bytes).
COLUMNS = ("id", "chain", "at", *_CONTENT)
_ID, _CHAIN, _AT = 0, 1, 2
_PLACE = {name: i for i, name in enumerate(COLUMNS)}


def keys_of(action: str, hromada_id: int | None, username: str, object_type: str, object_id: str,
            details: object) -> set[str]:
    """What a filter finds the entry's block by: its actor, action, hromada, object, and every record it showed."""
    keys = {f"a:{action}", f"h:{hromada_id or 0}"}
    if username:
        keys.add(f"u:{username}")
    if object_type:
        if object_id:
            keys.add(object_key(object_type, object_id))
        shown = details.get("ids") if isinstance(details, dict) else None
        if isinstance(shown, list):
            keys.update(object_key(object_type, pk) for pk in shown if isinstance(pk, int | str))
    return keys


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def encode(rows: list[tuple], before: Mapping[int, str], after: Mapping[int, str]) -> AuditBlock:
    """One block of ``rows`` (entries as ``COLUMNS``, consecutive in id order); ``before``/``after``: each chain's
    hash before the block's first entry of that chain and after its last (hex)."""
    ids = [row[_ID] for row in rows]
    times = [row[_AT] for row in rows]
    columns: dict[str, list] = {"v": [FORMAT], "id": _differences(ids), "chain": [row[_CHAIN] for row in rows],
                                "at": [_utc(at) for at in times]}
    for name in _CONTENT:
        i = _PLACE[name]
        columns[name] = [row[i] for row in rows]
    payload = payload_of(columns)
    keys: set[str] = set()
    for action, hromada, username, object_type, object_id, details in zip(
            columns["action"], columns["hromada_id"], columns["actor_username"], columns["object_type"],
            columns["object_id"], columns["details"], strict=True):
        keys |= keys_of(action, hromada, username, object_type, object_id, details)
    per_chain = Counter(columns["chain"])
    return AuditBlock(
        first_id=ids[0], last_id=ids[-1], first_at=min(times), last_at=max(times), entries=len(rows),
        payload=payload, keys=sorted(keys),
        chains={str(c): [n, before[c], after[c]] for c, n in sorted(per_chain.items())},
        action_counts=dict(Counter(columns["action"])),
        user_counts=dict(Counter(name for name in columns["actor_username"] if name)),
        hromada_counts=dict(Counter(hromada_count_key(h) for h in columns["hromada_id"])))


def _differences(values: list[int]) -> list[int]:
    return values[:1] + [b - a for a, b in zip(values, values[1:], strict=False)]


def _sums(differences: list[int]) -> list[int]:
    values, total = [], 0
    for d in differences:
        total += d
        values.append(total)
    return values


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# A version 7 id as the middleware writes it (lower-case): its first 12 digits are the milliseconds, then "7".
_V7 = re.compile(r"[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}")   # fullmatch


def _request_ids(texts: list[str], micros: list[int]) -> list:
    """Format 2's request ids: 1 for the entry before's id, [ms after the entry's ms, the digits after the "7"]
    for a version 7 id, any other id as its text."""
    packed: list = []
    before = None
    for text, us in zip(texts, micros, strict=True):
        if text and text == before:
            packed.append(1)
        elif _V7.fullmatch(text):
            packed.append([int(text[:12], 16) - us // 1000, text[13:]])
        else:
            packed.append(text)
        before = text
    return packed


def _request_texts(packed: list, micros: list[int]) -> list[str]:
    texts: list[str] = []
    for item, us in zip(packed, micros, strict=True):
        if item == 1:
            texts.append(texts[-1])
        elif isinstance(item, list):
            texts.append(f"{us // 1000 + item[0]:012x}7{item[1]}")
        else:
            texts.append(item)
    return texts


def payload_of(columns: dict[str, list]) -> bytes:
    """The payload of a block's columns (as ``columns_of`` gives them), in the current format."""
    micros = [(datetime.fromisoformat(at) - _EPOCH) // _MICROSECOND for at in columns["at"]]
    stored = {**columns, "v": [FORMAT], "at": _differences(micros),
              "request_id": _request_ids(columns["request_id"], micros)}
    return zlib.compress(json.dumps(stored, ensure_ascii=False, separators=(",", ":"), default=str).encode(), 9)


def columns_of(block: AuditBlock) -> dict[str, list]:
    """The block's entries as columns (ids as differences, times as UTC ISO text, request ids as text), whichever
    format wrote them. Raises ValueError on a payload that is not a block."""
    try:
        columns = json.loads(zlib.decompress(bytes(block.payload)))
    except (zlib.error, ValueError) as exc:
        raise ValueError(f"audit block {block.pk}: unreadable payload") from exc
    if not isinstance(columns, dict) or columns.get("v") not in ([v] for v in _READABLE):
        raise ValueError(f"audit block {block.pk}: unknown format")
    if columns["v"] == [2]:
        micros = _sums(columns["at"])
        columns["at"] = [(_EPOCH + us * _MICROSECOND).isoformat() for us in micros]
        columns["request_id"] = _request_texts(columns["request_id"], micros)
        columns["v"] = [1]   # the columns are format 1's
    return columns


def hashes(block: AuditBlock, columns: dict[str, list] | None = None) -> list[tuple[int, str]]:
    """(id, hash) of the block's entries, each hashed again from its content onto the one before it in its chain
    (from the block's hash before): what the packing compares with the rows before they go."""
    from .services import entry_hash

    columns = columns or columns_of(block)
    prev = {int(c): v[1] for c, v in block.chains.items()}
    content = [columns[name] for name in _CONTENT]
    found, pk = [], 0
    for i, delta in enumerate(columns["id"]):
        pk += delta
        chain = columns["chain"][i]
        fields = dict(zip(_CONTENT, (column[i] for column in content), strict=True))
        fields["at"] = columns["at"][i]
        prev[chain] = entry_hash(prev.get(chain, ""), fields)
        found.append((pk, prev[chain]))
    return found


def decode(block: AuditBlock, columns: dict[str, list] | None = None, only: Iterable[int] | None = None,
           hashed: bool = True) -> list[AuditEntry]:
    """The block's entries in id order, as unsaved ``AuditEntry`` objects: all of them, or those at the places
    ``only`` names (a reader's filter has looked at the columns first). ``hashed``: each with the hash it chains to
    from the block's hash before, which takes hashing every entry of the block (the export and the walk)."""
    columns = columns or columns_of(block)
    ids = _sums(columns["id"])
    places = range(len(ids)) if only is None else only
    entries = [AuditEntry(id=ids[i], at=datetime.fromisoformat(columns["at"][i]), chain=columns["chain"][i],
                          **{name: columns[name][i] for name in _CONTENT}) for i in places]
    if hashed:
        digests = dict(hashes(block, columns))
        for entry in entries:
            entry.hash = bytes.fromhex(digests[entry.pk])
    return entries


def chain_counts() -> dict[int, int]:
    """Entries per chain in the blocks: summed by PostgreSQL over the blocks' ``chains`` (the hourly checkpoint reads
    it: no block's JSON comes to Python); SQLite, which packs little, sums them itself."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT c.key::int, sum((c.value->>0)::bigint) FROM audit_auditblock b, "
                           "jsonb_each(b.chains) c GROUP BY c.key")
            return {chain: int(n) for chain, n in cursor.fetchall()}
    counts: Counter[int] = Counter()
    for chains in AuditBlock.objects.values_list("chains", flat=True).iterator(chunk_size=2000):
        for chain, (n, _before, _after) in chains.items():
            counts[int(chain)] += n
    return dict(counts)


def packed_through() -> int:
    """Every entry up to this id is read from the blocks (0: nothing is packed)."""
    return AuditBlock.objects.order_by("-last_id").values_list("last_id", flat=True).first() or 0
