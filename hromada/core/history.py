"""A case's history kept as bytes in the case's own row (docs/decisions/0004-case-history-in-one-row.md).

A row per event cost about 100 bytes before its data (#24); packed, an event is about 12. The layout, append only:

    history := FORMAT event*
    event   := action:u8 from:u8 to:u8 actor:uvarint(user id + 1, 0 = the system) at:time comment:text data:text
    time    := the first event: uvarint(µs since the Unix epoch); later ones: zigzag-varint(µs after the first)
    text    := uvarint(length) UTF-8 bytes (data: compact JSON, nothing for {})

The words (action, states) are one-byte codes: their place in the workflow's vocabularies, which are append only
(``WordCodeField``'s rule). A later event is timed from the first, never from the one before, so an event can be
appended without reading the others (``append_in_row``): what is already written is never rewritten, and a trigger
refuses any UPDATE whose new history does not begin with the old one.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections, router

FORMAT = 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class HistoryCorrupt(ValueError):
    """The bytes do not follow the layout (a bug or a hand edit, never a user's input)."""


def _uvarint(n: int, out: bytearray) -> None:
    if n < 0:
        raise ValueError("uvarint of a negative number")
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _read_uvarint(blob: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        if pos >= len(blob):
            raise HistoryCorrupt("history ends inside a number")
        b = blob[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return n, pos
        shift += 7


def _micros(at: datetime) -> int:
    delta = at - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass
class HistoryEvent:
    """One event as read back: ``id`` is its place in the case's history (1, 2, …), stable as the history only
    grows. ``actor`` is filled by the reader that shows names (``resolve_actors``)."""
    id: int
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    at: datetime
    comment: str = ""
    data: dict = field(default_factory=dict)
    actor: Any = None

    @property
    def actor_name(self) -> str | None:
        """Who acted, as the API and the card say it: the user's full name (or login); ``#<id>`` for a user who is
        gone (users are deactivated, not deleted, so only a hand-edited database shows it); None for the system."""
        if self.actor is not None:
            return self.actor.get_full_name() or self.actor.username
        return None if self.actor_id is None else f"#{self.actor_id}"

    @property
    def actor_short_name(self) -> str | None:
        """As ``actor_name``, with the user's short name (surname and initials), as lists say it."""
        if self.actor is not None:
            return self.actor.short_name
        return None if self.actor_id is None else f"#{self.actor_id}"


class HistoryCodec:
    """The layout over one workflow's vocabularies (tuples of words; a word's code is its place)."""

    def __init__(self, actions: Sequence[str], states: Sequence[str]):
        if len(actions) > 256 or len(states) > 256:
            raise ValueError("a history word's code is one byte")
        self.actions, self.states = tuple(actions), tuple(states)
        self._action_code = {w: i for i, w in enumerate(self.actions)}
        self._state_code = {w: i for i, w in enumerate(self.states)}

    def first_micros(self, blob: bytes | memoryview) -> int | None:
        """The first event's time (µs since the epoch), or None for an empty history."""
        blob = bytes(blob or b"")
        if not blob:
            return None
        self._check_format(blob)
        pos = 4
        _actor, pos = _read_uvarint(blob, pos)
        micros, _pos = _read_uvarint(blob, pos)
        return micros

    def encode(self, *, first_micros: int | None, action: str, from_status: str, to_status: str,
               actor_id: int | None, at: datetime, comment: str = "", data: dict | None = None) -> bytes:
        """One event's bytes, to follow a history whose first event is at ``first_micros`` (None: this event
        starts the history, and the bytes begin with the format)."""
        try:
            codes = (self._action_code[action], self._state_code[from_status or ""], self._state_code[to_status or ""])
        except KeyError as exc:
            raise ValueError(f"{exc.args[0]!r} is not in the history's vocabulary (append it)") from None
        out = bytearray()
        if first_micros is None:
            out.append(FORMAT)
        out.extend(codes)
        _uvarint(0 if actor_id is None else actor_id + 1, out)
        micros = _micros(at)
        if first_micros is None:
            _uvarint(micros, out)
        else:
            delta = micros - first_micros
            _uvarint(delta * 2 if delta >= 0 else -delta * 2 - 1, out)
        for text in (comment or "", json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else ""):
            raw = text.encode()
            _uvarint(len(raw), out)
            out.extend(raw)
        return bytes(out)

    def append(self, blob: bytes | memoryview, **event: Any) -> bytes:
        """The history with one more event (see ``encode`` for the event's fields)."""
        blob = bytes(blob or b"")
        return blob + self.encode(first_micros=self.first_micros(blob), **event)

    def decode(self, blob: bytes | memoryview) -> list[HistoryEvent]:
        blob = bytes(blob or b"")
        if not blob:
            return []
        self._check_format(blob)
        events: list[HistoryEvent] = []
        pos, first = 1, None
        while pos < len(blob):
            if pos + 3 > len(blob):
                raise HistoryCorrupt("history ends inside an event")
            try:
                action = self.actions[blob[pos]]
                from_status, to_status = self.states[blob[pos + 1]], self.states[blob[pos + 2]]
            except IndexError:
                raise HistoryCorrupt(f"unknown word code in the event at byte {pos}") from None
            pos += 3
            actor, pos = _read_uvarint(blob, pos)
            raw_time, pos = _read_uvarint(blob, pos)
            if first is None:
                first = micros = raw_time
            else:
                micros = first + (raw_time >> 1 if not raw_time & 1 else -((raw_time + 1) >> 1))
            texts = []
            for _ in range(2):
                length, pos = _read_uvarint(blob, pos)
                if pos + length > len(blob):
                    raise HistoryCorrupt("history ends inside a text")
                try:
                    texts.append(blob[pos:pos + length].decode())
                except UnicodeDecodeError:
                    raise HistoryCorrupt(f"a text that is not UTF-8 at byte {pos}") from None
                pos += length
            try:
                data = json.loads(texts[1]) if texts[1] else {}
            except json.JSONDecodeError:
                raise HistoryCorrupt(f"data that is not JSON before byte {pos}") from None
            events.append(HistoryEvent(
                id=len(events) + 1, action=action, from_status=from_status, to_status=to_status,
                actor_id=actor - 1 if actor else None, at=EPOCH + timedelta(microseconds=micros),
                comment=texts[0], data=data))
        return events

    @staticmethod
    def _check_format(blob: bytes) -> None:
        if blob[0] != FORMAT:
            raise HistoryCorrupt(f"unknown history format {blob[0]}")


def append_in_row(model, field_name: str, pk: int, encoded: bytes) -> bytes:
    """Append ``encoded`` to the history the row holds, whatever a caller last read (``UPDATE … SET h = h || …``,
    on SQLite cast back to a blob: its ``||`` gives text); return the history as the row now holds it."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field_name).column)
    value = f"CAST({column} || %s AS BLOB)" if connection.vendor == "sqlite" else f"{column} || %s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(model._meta.db_table)} SET {column} = {value} "  # noqa: S608 (identifiers from model meta)
                       f"WHERE {quote(model._meta.pk.column)} = %s RETURNING {column}", [encoded, pk])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"no {model._meta.label} {pk} to append to")
    return bytes(row[0])


def resolve_actors(events: list[HistoryEvent], user_model) -> list[HistoryEvent]:
    """Fill each event's ``actor`` with one query for the users the history names."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    users = user_model._default_manager.in_bulk(ids) if ids else {}
    for event in events:
        event.actor = users.get(event.actor_id) if event.actor_id is not None else None
    return events
