"""Reads of the audit log for auditors (the access layer decides who may look)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, cast, overload

from django.db import connection
from django.db.models import DateTimeField, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from hromada.accounts.access import may, require, unit_id_of_code, visible
from hromada.accounts.models import User
from hromada.core.errors import ValidationFailed

from .blocks import columns_of, decode, hromada_count_key, object_key, packed_through
from .labels import action_label, changes_of, field_label, masked_changes, object_label
from .models import AuditBlock, AuditEntry
from .scope import scope_hromadas
from .slots import unit_names


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""           # username (exact) — the actor
    person_id: int | None = None       # entries about one person: changes of her record and reads that showed it
    application_id: int | None = None  # entries about one case
    action: str = ""         # exact action or a prefix ending with "." (e.g. "person.")
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    hromada: str = ""        # КАТОТТГ code of the hromada


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(user: User, filters: AuditFilters) -> AuditLog:
    """The entries the user may read, filtered; newest first: the rows, then the packed entries (docs/decisions/0003).
    Raises Forbidden for other roles."""
    require(user, "audit.view")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed(gettext("Дата «з» пізніша за дату «по»."), code="invalid_date_range")
    through = packed_through()
    qs = visible(user, AuditEntry).select_related("actor__office").order_by("-id")
    if through:
        qs = qs.filter(pk__gt=through)
    if filters.user:
        qs = qs.filter(actor_username=filters.user.strip())
    if filters.action:
        action = filters.action.strip()
        qs = qs.filter(action__startswith=action) if action.endswith(".") else qs.filter(action=action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type.strip())
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id.strip())
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    unit_id = None
    if filters.hromada:
        unit_id = unit_id_of_code(filters.hromada)
        qs = qs.filter(Q(hromada_id=unit_id)) if unit_id else qs.none()
    if filters.person_id:
        qs = about(qs, "persons.person", filters.person_id)
    if filters.application_id:
        qs = about(qs, "applications.application", filters.application_id)
    packed = None
    if through and (unit_id or not filters.hromada):
        packed = _Packed(filters, scope_hromadas(user), unit_id)
    return AuditLog(qs, packed, through)


def about(qs: QuerySet, object_type: str, pk: int) -> QuerySet:
    """Entries naming one object: as the entry's object, or among the records a list page or search showed
    (``details.ids`` of an ``audited_read``). PostgreSQL answers the containment with the partial GIN index
    ``audit_listed_ids`` (migration 0005: its ``has_key`` condition must be in the query for the planner to use it);
    other databases read the candidate list entries' ids (no JSON containment lookup there)."""
    own = Q(object_type=object_type, object_id=str(pk))
    if connection.vendor == "postgresql":
        return qs.filter(own | Q(object_type=object_type, details__has_key="ids", details__ids__contains=[pk]))
    listed = [entry_id for entry_id, details in qs.filter(object_type=object_type).exclude(own)
              .values_list("id", "details").iterator(chunk_size=2000)
              if isinstance(details, dict) and pk in (details.get("ids") or ())]
    return qs.filter(own | Q(pk__in=listed))


class AuditLog:
    """The log a reader asked for, newest first: the rows after the packed part (a QuerySet), then the packed
    entries. What the paginator, the API and the export use of a QuerySet: ``count()``, slices, ``iterator()``."""

    def __init__(self, rows: QuerySet[AuditEntry], packed: _Packed | None, through: int = 0) -> None:
        self.rows = rows
        self.packed = packed
        self.through = through   # the log's entries up to this id are packed (0: none)
        self._rows_count: int | None = None

    def _rows_total(self) -> int:
        if self._rows_count is None:
            self._rows_count = self.rows.count()
        return self._rows_count

    def count(self) -> int:
        return self._rows_total() + (self.packed.count() if self.packed else 0)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> AuditEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[AuditEntry]: ...

    def __getitem__(self, index: slice | int) -> AuditEntry | list[AuditEntry]:
        if isinstance(index, int):
            found = self[index:index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop is not None and index.stop < 0):
            raise ValueError("only plain forward slices of the audit log")
        start, stop = index.start or 0, index.stop
        rows = self._rows_total()
        found = list(self.rows[start:stop]) if start < rows else []
        if self.packed and (stop is None or stop > rows):
            found += self.packed.slice(max(0, start - rows), None if stop is None else stop - rows)
        return found

    def __iter__(self) -> Iterator[AuditEntry]:
        return self.iterator()

    def iterator(self, chunk_size: int = 2000) -> Iterator[AuditEntry]:
        yield from self.rows.iterator(chunk_size=chunk_size)
        if self.packed:
            yield from self.packed.iterator()


class Candidate(NamedTuple):
    """A block a reading may need, without its payload: ``count`` is what the database read of its counts (the
    matching entries, or the part of the counts the filter needs; None: it must be unpacked)."""
    pk: int
    first_at: datetime | None   # read only where the reading asks for dates
    last_at: datetime | None
    count: Any


# How many blocks (about a thousand entries each, 1–3 ms to unpack) one reading of the log may unpack to answer a
# combination of filters that the blocks' counts cannot total (e.g. an action within an oblast's scope). Past it the
# auditor is asked for a date range. Provisional, until the auditors agree the bound (docs/decisions/0003).
UNPACK_LIMIT = 2000


class _Packed:
    """The packed part of one reading: the candidate blocks (by the keys and the dates of the filters), newest
    first; each block's entries filtered exactly as the rows are, the scope included."""

    def __init__(self, filters: AuditFilters, scope: frozenset[int] | None, unit_id: int | None) -> None:
        self.filters = filters
        self.scope = scope
        self.unit_id = unit_id
        self.action = filters.action.strip()
        self.start = _day_start(filters.date_from) if filters.date_from else None
        self.end = _day_start(filters.date_to + timedelta(days=1)) if filters.date_to else None
        self._blocks: list[Candidate] | None = None
        self._mode = self._counting()
        self._kept: dict[int, list[AuditEntry]] = {}
        self.unpacked = 0

    def keys(self) -> list[str]:
        f = self.filters
        keys = []
        if f.user:
            keys.append(f"u:{f.user.strip()}")
        if self.action and not self.action.endswith("."):
            keys.append(f"a:{self.action}")
        if f.object_type and f.object_id:
            keys.append(object_key(f.object_type.strip(), f.object_id.strip()))
        if self.unit_id:
            keys.append(f"h:{self.unit_id}")
        if f.person_id:
            keys.append(object_key("persons.person", f.person_id))
        if f.application_id:
            keys.append(object_key("applications.application", f.application_id))
        return keys

    def _count_expression(self) -> Any:
        """What the database reads of a block's counts for this reading: its matching entries (a number), or the part
        of its counts a prefix or a scope needs; None: the block must be unpacked."""
        if self._mode in ("action", "user", "hromada"):
            key = {"action": self.action, "user": self.filters.user.strip(),
                   "hromada": hromada_count_key(self.unit_id)}[self._mode]
            # The key as one step of the path (a word may hold "__", which a KT path would split).
            return Coalesce(Cast(KeyTextTransform(key, f"{self._mode}_counts"), IntegerField()), 0)
        if self._mode == "all":
            return F("entries")
        if self._mode == "prefix" and connection.vendor == "postgresql":
            return RawSQL("(SELECT coalesce(sum(value::int), 0) FROM jsonb_each_text(action_counts) "
                          "WHERE starts_with(key, %s))", [self.action], output_field=IntegerField())
        return {"prefix": F("action_counts"), "scope": F("hromada_counts")}.get(self._mode)

    def _summable(self) -> bool:
        """The database totals the blocks' matching entries from their counts alone."""
        return self._mode in ("action", "user", "hromada", "all") or (
            self._mode == "prefix" and connection.vendor == "postgresql")

    def _candidates(self) -> QuerySet[AuditBlock]:
        """The blocks within the dates, found by their keys unless the counts say which hold matching entries (a
        block the counts give 0 is skipped without unpacking; checking a key reads the block's whole key list, 20
        times the cost of a small count at 1 M)."""
        return candidate_blocks([] if self._summable() else self.keys(), self.start, self.end)

    def blocks(self) -> list[Candidate]:
        """The candidate blocks, newest first, as light rows (no payload): with each one's count as the database
        read it (``_count_expression``). Their times only where dates are asked (reading them costs)."""
        if self._blocks is None:
            qs = self._candidates()
            count = self._count_expression()
            qs = qs.annotate(count=count if count is not None else Value(None, IntegerField()))
            dated = self.start is not None or self.end is not None
            self._blocks = [Candidate(pk, first, last, n) for pk, first, last, n in qs.values_list(
                "pk", *(("first_at", "last_at") if dated else (Value(None, DateTimeField()),) * 2), "count")]
        return self._blocks

    def _counting(self) -> str:
        """How a block's matching entries are counted without unpacking it (""; unpack it)."""
        f = self.filters
        if f.object_type or f.object_id or f.person_id or f.application_id:
            return ""
        if f.user:
            return "user" if not self.action and not self.unit_id and self.scope is None else ""
        if self.scope is not None:
            return "" if self.action or self.unit_id else "scope"
        if self.action:
            return "" if self.unit_id else ("prefix" if self.action.endswith(".") else "action")
        return "hromada" if self.unit_id else "all"

    def _within_dates(self, block: Candidate) -> bool:
        return ((self.start is None or cast(datetime, block.first_at) >= self.start)
                and (self.end is None or cast(datetime, block.last_at) < self.end))

    def counted(self, block: Candidate) -> int | None:
        """The block's matching entries from its counts, where they can say (else None: unpack it)."""
        if not self._mode or not self._within_dates(block):
            return None
        if self._mode == "prefix" and isinstance(block.count, dict):   # SQLite: the action counts themselves
            return sum(n for word, n in block.count.items() if self._action_matches(word))
        if self._mode == "scope":
            scope = {hromada_count_key(h) for h in cast(frozenset, self.scope)}
            return sum(n for key, n in block.count.items() if key in scope)
        return int(block.count)

    def _action_matches(self, word: str) -> bool:
        return word.startswith(self.action) if self.action.endswith(".") else word == self.action

    def maybe(self, columns: dict[str, list], i: int) -> bool:
        """A first look at an entry's columns by the filters that name a value (``keeps`` decides)."""
        f = self.filters
        return ((not f.user or columns["actor_username"][i] == f.user.strip())
                and (not self.action or self._action_matches(columns["action"][i]))
                and (not f.object_type or columns["object_type"][i] == f.object_type.strip())
                and (not f.object_id or columns["object_id"][i] == f.object_id.strip())
                and (not self.unit_id or columns["hromada_id"][i] == self.unit_id)
                and (self.scope is None or columns["hromada_id"][i] in self.scope)
                and (not f.person_id or columns["object_type"][i] == "persons.person")
                and (not f.application_id or columns["object_type"][i] == "applications.application"))

    def keeps(self, entry: AuditEntry) -> bool:
        f = self.filters
        return ((self.scope is None or entry.hromada_id in self.scope)
                and (not f.user or entry.actor_username == f.user.strip())
                and (not self.action or self._action_matches(entry.action))
                and (not f.object_type or entry.object_type == f.object_type.strip())
                and (not f.object_id or entry.object_id == f.object_id.strip())
                and (self.start is None or entry.at >= self.start) and (self.end is None or entry.at < self.end)
                and (not self.unit_id or entry.hromada_id == self.unit_id)
                and (not f.person_id or names(entry, "persons.person", f.person_id))
                and (not f.application_id or names(entry, "applications.application", f.application_id)))

    def entries(self, block: Candidate) -> list[AuditEntry]:
        """The block's entries this reading keeps, newest first (unpacked once per reading)."""
        kept = self._kept.get(block.pk)
        if kept is None:
            self.unpacked += 1
            if self.unpacked > UNPACK_LIMIT:
                raise ValidationFailed(gettext(
                    "Забагато записів для цього поєднання фільтрів у давній (стиснутій) частині журналу: "
                    "звузьте період датами «з» і «по»."), code="audit_filter_too_broad")
            kept = self._kept[block.pk] = [e for e in reversed(unpack(block, self.maybe)) if self.keeps(e)]
        return kept

    def _matching(self, block: Candidate) -> int:
        counted = self.counted(block)
        return len(self.entries(block)) if counted is None else counted

    def count(self) -> int:
        """The matching packed entries: the blocks inside the dates totalled by the database from their counts where
        it can; the blocks across a date's edge, and those its counts cannot say, unpacked."""
        count = self._count_expression()
        if self._summable():
            inside = self._candidates()
            if self.start is not None:
                inside = inside.filter(first_at__gte=self.start)
            if self.end is not None:
                inside = inside.filter(last_at__lt=self.end)
            total = inside.aggregate(n=Sum(count))["n"] or 0
            if self.start is None and self.end is None:
                return total
            return total + sum(len(self.entries(b)) for b in self.blocks() if not self._within_dates(b))
        return sum(self._matching(block) for block in self.blocks())

    def slice(self, start: int, stop: int | None) -> list[AuditEntry]:
        """Entries [start, stop) of the packed part: the blocks before are skipped by their totals."""
        found: list[AuditEntry] = []
        position = 0   # matching entries in the blocks before this one
        for block in self.blocks():
            if stop is not None and position >= stop:
                break
            matching = self._matching(block)
            if position + matching <= start:
                position += matching
                continue
            entries = self.entries(block)
            found.extend(entries[max(0, start - position):None if stop is None else max(0, stop - position)])
            position += len(entries)
        return found

    def iterator(self) -> Iterator[AuditEntry]:
        """Every kept entry with its hash (the export writes it), block after block."""
        for block in self.blocks():
            yield from (e for e in reversed(unpack(block, self.maybe, hashed=True)) if self.keeps(e))


def candidate_blocks(keys: list[str], start: datetime | None = None,
                     end: datetime | None = None) -> QuerySet[AuditBlock]:
    """The blocks that may hold entries naming every one of ``keys`` within [start, end), newest first.
    PostgreSQL: the keys' GIN index; SQLite, which packs little, compares the keys itself."""
    qs = AuditBlock.objects.order_by("-last_id")
    if start is not None:
        qs = qs.filter(last_at__gte=start)
    if end is not None:
        qs = qs.filter(first_at__lt=end)
    if keys and connection.vendor == "postgresql":
        return qs.filter(keys__contains=keys)
    if keys:
        wanted = set(keys)
        return qs.filter(pk__in=[pk for pk, held in qs.values_list("pk", "keys") if wanted <= set(held)])
    return qs


def unpack(block: AuditBlock | Candidate, maybe: Callable[[dict[str, list], int], bool] | None = None,
           hashed: bool = False) -> list[AuditEntry]:
    """The block's entries in id order (its payload read now: the candidates are listed without it): those whose
    columns ``maybe`` keeps (a cheap look before an object is made of each), with their hashes if ``hashed``."""
    whole = AuditBlock.objects.only("pk", "chains", "payload").get(pk=block.pk)
    columns = columns_of(whole)
    places = None if maybe is None else [i for i in range(len(columns["id"])) if maybe(columns, i)]
    return decode(whole, columns, places, hashed=hashed)


def names(entry: AuditEntry, object_type: str, pk: int) -> bool:
    """The entry is about the object, or showed it on a list page or in a search (``about``, on one entry)."""
    if entry.object_type != object_type:
        return False
    shown = entry.details.get("ids") if isinstance(entry.details, dict) else None
    return entry.object_id == str(pk) or (isinstance(shown, list) and pk in shown)


def entries_about(object_type: str, pk: int) -> list[AuditEntry]:
    """Every entry naming one object (``about``), packed or not, oldest first; for a person's access report, whose
    caller has checked the access. The packed ones are found by the object's key."""
    through = packed_through()
    rows = AuditEntry.objects.select_related("actor__office")
    found = list(about(rows.filter(pk__gt=through) if through else rows, object_type, pk))
    if through:
        for block in candidate_blocks([object_key(object_type, pk)]).only("pk"):
            found.extend(e for e in unpack(block, lambda columns, i: columns["object_type"][i] == object_type)
                         if names(e, object_type, pk))
    return sorted(found, key=lambda e: (e.at, e.pk))


@dataclass
class Row:
    """One entry as people read it (never its codes alone)."""
    entry: AuditEntry
    role: str
    action: str
    object: str
    office: str
    hromada: str
    hromada_code: str
    changes: dict = field(default_factory=dict)     # {field: [old, new]} or {field: None} (names only)
    reason: str = ""

    @property
    def labelled_changes(self) -> list[tuple[str, list | None]]:
        return [(field_label(name), values) for name, values in self.changes.items()]

    def as_dict(self) -> dict:
        e = self.entry
        return {"id": e.id, "at": e.at, "user": e.actor_username, "role": e.actor_role, "role_label": self.role,
                "action": e.action, "action_label": self.action, "object_type": e.object_type,
                "object_label": self.object, "object_id": e.object_id, "office": self.office,
                "hromada_code": self.hromada_code, "hromada_name": self.hromada, "changes": self.changes,
                "reason": self.reason}


def present(user: User, entries: Iterable[AuditEntry]) -> list[Row]:
    """Names instead of codes: the role's title, the action in Ukrainian, the actor's office and the hromada by name
    and КАТОТТГ code; the old and new value of each changed field, personal data masked unless the user's role may
    see it (``audit.personal_values``)."""
    from hromada.accounts.models import Role

    entries = list(entries)
    _load_actors(entries)
    roles = dict(Role.choices)
    units = unit_names({e.hromada_id for e in entries if e.hromada_id})
    show_personal = may(user, "audit.personal_values")
    rows = []
    for e in entries:
        name, code = units.get(e.hromada_id, ("", "")) if e.hromada_id else ("", "")
        office = e.actor.office.name if e.actor_id and e.actor and e.actor.office_id else ""
        details = e.details if isinstance(e.details, dict) else {}
        reason = str(details.get("reason") or "") if isinstance(details.get("reason"), str) else ""
        rows.append(Row(entry=e, role=str(roles.get(e.actor_role, e.actor_role)), action=action_label(e.action),
                        object=object_label(e.object_type), office=office, hromada=name, hromada_code=code,
                        changes=masked_changes(changes_of(details), show_personal=show_personal), reason=reason))
    return rows


def _load_actors(entries: list[AuditEntry]) -> None:
    """The actors (with their offices) of entries read without them (unpacked from blocks), in one query."""
    field = AuditEntry._meta.get_field("actor")
    missing = {e.actor_id for e in entries if e.actor_id and not field.is_cached(e)}
    if not missing:
        return
    users = User.objects.select_related("office").in_bulk(missing)
    for entry in entries:
        if entry.actor_id in users and not field.is_cached(entry):
            entry.actor = users[entry.actor_id]


def _actions_packed() -> set[str]:
    """The actions the blocks hold, from their counts (PostgreSQL: one pass over the blocks' rows, not their
    payloads: about ten thousand rows at a million applications)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT jsonb_object_keys(action_counts) FROM audit_auditblock")
            return {row[0] for row in cursor.fetchall()}
    return {word for counts in AuditBlock.objects.values_list("action_counts", flat=True) for word in counts}


def known_actions(limit: int = 500, *, packed: bool = True) -> list[str]:
    """The actions the log holds, in order. A skip scan over the action index (one probe per distinct action):
    ``SELECT DISTINCT`` would read the whole index — millions of entries per oblast a year — on every page view.
    On PostgreSQL the index holds the actions' codes (hromada.audit.fields), read back as the words. ``packed``: add
    the actions of the packed entries (one statement over the blocks' counts)."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = (f"WITH RECURSIVE seen(action) AS (SELECT min(action) FROM {table} "  # noqa: S608 — the model's table
           f"UNION ALL SELECT (SELECT min(action) FROM {table} WHERE action > seen.action) FROM seen "
           f"WHERE seen.action IS NOT NULL) SELECT action FROM seen WHERE action IS NOT NULL LIMIT %s")
    field = AuditEntry._meta.get_field("action")
    coded = field.db_type(connection) == "integer"   # the index is in the codes' order, not the words'
    with connection.cursor() as cursor:
        cursor.execute(sql, [32767 if coded else limit])   # the codes: a few hundred words, all of them
        stored = {field.from_db_value(row[0], None, connection) for row in cursor.fetchall()}
    return sorted(stored | (_actions_packed() if packed else set()))[:limit]
