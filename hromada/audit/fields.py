"""The audit entry's compact columns on PostgreSQL (#24, bytes): the words every entry repeats and the request id.

An entry names its action, its object's type and its actor's role: a few hundred words, repeated by millions of
entries (~60 bytes of text in each). On PostgreSQL each is stored as a number, a 4-byte ``integer`` derived from the
word itself (``term_code``: the first four bytes of its SHA-256), and the word is kept once in ``AuditTerm``, written
by the append in the same statement as the entries that first use it. A code is a function of its word, never
allocated, so nothing has to be remembered across transactions: a rolled-back append leaves no code behind that
another word could take, and any process decodes what another wrote. The request id, 32 hex digits, is stored as its
16 bytes. Python sees the words and the id as before: filters, forms, the API, the export and the hash (computed
over the words) are unchanged. SQLite keeps the text (its files are the small installations; #24's figure is
PostgreSQL's).
"""
from __future__ import annotations

import abc
import functools
import hashlib
import re
from typing import Any

from django.db import NotSupportedError, models
from django.db.models import lookups
from django.db.models.lookups import StartsWith

# Decoding: every word encoded or read in this process (a code is its word's, for good).
_words: dict[int, str] = {0: ""}


class TermCollision(ValueError):
    """Two words with one code (a 1 in 10⁵ chance for a few hundred words): refused rather than stored wrongly."""


def term_code(word: str) -> int:
    """The code of a word being WRITTEN: the first four bytes of its SHA-256, signed (PostgreSQL's ``integer``); 0 for
    no word. The migration computes the same in SQL (``TERM_CODE_SQL``). The word is remembered for decoding; a word
    whose code another word already holds is refused. A filter's value is coded by ``lookup_code`` instead: what an
    auditor types is never remembered."""
    code = _code(word)
    known = _words.setdefault(code, word)
    if known != word:
        raise TermCollision(f"audit terms {known!r} and {word!r} share the code {code}")
    return code


def lookup_code(word: str) -> int:
    """The code a filter compares with: the word's, remembering nothing."""
    return _code(word)


def known_words() -> dict[int, str]:
    """The words this process has written or read, by code (a restore writes them into the term table)."""
    return dict(_words)


@functools.lru_cache(maxsize=4096)   # every append codes its entries' words (twice): a few hundred words in all
def _code(word: str) -> int:
    if not word:
        return 0
    return int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big", signed=True)


# ``term_code`` in SQL, over a text expression ``{0}``.
TERM_CODE_SQL = ("CASE WHEN {0} = '' THEN 0 ELSE ('x' || encode(substring(sha256(convert_to({0}, 'UTF8')) "
                 "FROM 1 FOR 4), 'hex'))::bit(32)::integer END")


def _word_of(code: int, connection: Any) -> str:
    word = _words.get(code)
    if word is None:
        with connection.cursor() as cursor:   # the term table holds every word an append wrote
            cursor.execute(f"SELECT id, name FROM {connection.ops.quote_name(TERM_TABLE)}")  # noqa: S608
            # Only a word that is its code's (the table's check says so too), and never over a word this process knows.
            for c, w in cursor.fetchall():
                if _code(w) == c:
                    _words.setdefault(c, w)
        word = _words.get(code)
        if word is None:   # not written through an append: shown as its number (verify_audit reports it)
            return f"{_UNKNOWN}{code}"
    return word


_UNKNOWN = "#"


def unknown_code(shown: str) -> int | None:
    """The code a word read as ``#<code>`` stands for (no word in the term table), else None."""
    if shown.startswith(_UNKNOWN):
        try:
            return int(shown[len(_UNKNOWN):])
        except ValueError:
            return None
    return None


TERM_TABLE = "audit_auditterm"


def _compact(connection: Any) -> bool:
    return connection.vendor == "postgresql"


class _CompactText(models.CharField, metaclass=abc.ABCMeta):
    """Text in Python, stored compactly on PostgreSQL as ``compact_type`` (``_pack`` and ``_unpack``); SQLite keeps
    the text."""

    compact_type = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str | None:
        return self.compact_type if _compact(connection) else super().db_type(connection)

    def cast_db_type(self, connection: Any) -> str | None:
        return self.db_type(connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # ``prepared``: a filter's value (a lookup); else a value being saved.
        value = super().get_db_prep_value(value, connection, prepared)
        if _compact(connection) and isinstance(value, str):
            return self._pack(value, for_lookup=prepared)
        return value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None or isinstance(value, str) else self._unpack(value, connection)

    # Each column says how (TermField, RequestIdField); the base is never a model's field itself.
    @abc.abstractmethod
    def _pack(self, value: str, *, for_lookup: bool) -> Any: ...

    @abc.abstractmethod
    def _unpack(self, value: Any, connection: Any) -> str: ...


class TermField(_CompactText):
    """A word of the audit log (an action, an object type, a role): text in Python, a code on PostgreSQL."""

    description = "A word stored as its code (PostgreSQL) or its text"
    compact_type = "integer"

    def _pack(self, value: str, *, for_lookup: bool) -> int:
        return lookup_code(value) if for_lookup else term_code(value)

    def _unpack(self, value: Any, connection: Any) -> str:
        return _word_of(value, connection)


@TermField.register_lookup
class TermStartsWith(StartsWith):
    """``action__startswith="application."`` on PostgreSQL: the codes of the words with that beginning (a code has no
    text to compare). Every word an entry holds is in the term table (the append writes both)."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = compiler.compile(self.lhs)   # the column itself (no cast to text: it holds codes)
        table = connection.ops.quote_name(TERM_TABLE)
        prefix = connection.ops.prep_for_like_query(str(self.rhs))
        return f"{lhs} IN (SELECT id FROM {table} WHERE name LIKE %s)", [*lhs_params, prefix + "%"]  # noqa: S608


class _NoTextLookup:
    """A text comparison that a code (or the id's bytes) cannot answer: refused on PostgreSQL rather than answered
    wrongly (the column would be compared as the code's digits)."""
    lookup_name: str

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        raise NotSupportedError(f"__{self.lookup_name} on an audit column stored compactly (hromada.audit.fields)")


for _text_lookup in (lookups.Contains, lookups.IContains, lookups.EndsWith, lookups.IEndsWith, lookups.IStartsWith,
                     lookups.IExact, lookups.Regex, lookups.IRegex, lookups.GreaterThan, lookups.LessThan,
                     lookups.GreaterThanOrEqual, lookups.LessThanOrEqual, lookups.Range):
    TermField.register_lookup(type(f"Term{_text_lookup.__name__}", (_NoTextLookup, _text_lookup), {}))


_HEX_ID = re.compile(r"[0-9a-f]{32}")   # fullmatch: "$" would let a trailing newline through


class RequestIdField(_CompactText):
    """The request's correlation id: text in Python; on PostgreSQL bytes, the 16 of the usual id (a UUID's 32 hex
    digits, what the middleware makes), any other id (a proxy's X-Request-ID) as its text after one or two zero
    bytes, so that only a hex id is ever 16 bytes long and every id reads back as it was written."""

    description = "A request id stored as bytes (PostgreSQL) or text"
    compact_type = "bytea"

    def _pack(self, value: str, *, for_lookup: bool) -> bytes:
        return request_id_bytes(value)

    def _unpack(self, value: Any, connection: Any) -> str:
        return request_id_text(bytes(value))


for _text_lookup in (lookups.Contains, lookups.IContains, lookups.StartsWith, lookups.IStartsWith, lookups.EndsWith,
                     lookups.IEndsWith, lookups.IExact, lookups.Regex, lookups.IRegex, lookups.GreaterThan,
                     lookups.LessThan, lookups.GreaterThanOrEqual, lookups.LessThanOrEqual, lookups.Range):
    RequestIdField.register_lookup(type(f"RequestId{_text_lookup.__name__}", (_NoTextLookup, _text_lookup), {}))


def request_id_bytes(text: str) -> bytes:
    if _HEX_ID.fullmatch(text):
        return bytes.fromhex(text)
    if not text:
        return b""
    raw = text.encode()
    return (b"\0\0" if len(raw) == 15 else b"\0") + raw


def request_id_text(raw: bytes) -> str:
    if len(raw) == 16:
        return raw.hex()
    return raw.lstrip(b"\0").decode()


# ``request_id_bytes`` in SQL, over a text expression ``{0}`` (the migration's).
REQUEST_ID_SQL = ("CASE WHEN {0} ~ '^[0-9a-f]{{32}}$' THEN decode({0}, 'hex') WHEN {0} = '' THEN ''::bytea "
                  "WHEN octet_length({0}) = 15 THEN '\\x0000'::bytea || convert_to({0}, 'UTF8') "
                  "ELSE '\\x00'::bytea || convert_to({0}, 'UTF8') END")
