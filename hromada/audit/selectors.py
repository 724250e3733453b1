"""Reads of the audit log for auditors (the access layer decides who may look)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hromada.accounts.access import may, require, unit_id_of_code, visible
from hromada.accounts.models import User
from hromada.core.errors import ValidationFailed

from .labels import action_label, changes_of, field_label, masked_changes, object_label
from .models import AuditEntry
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


def audit_entries(user: User, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The entries the user may read, filtered; newest first. Raises Forbidden for other roles."""
    require(user, "audit.view")
    qs = visible(user, AuditEntry).select_related("actor__office").order_by("-id")
    if filters.user:
        qs = qs.filter(actor_username=filters.user.strip())
    if filters.action:
        action = filters.action.strip()
        qs = qs.filter(action__startswith=action) if action.endswith(".") else qs.filter(action=action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type.strip())
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id.strip())
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed(gettext("Дата «з» пізніша за дату «по»."), code="invalid_date_range")
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.hromada:
        unit_id = unit_id_of_code(filters.hromada)
        qs = qs.filter(Q(hromada_id=unit_id)) if unit_id else qs.none()
    if filters.person_id:
        qs = about(qs, "persons.person", filters.person_id)
    if filters.application_id:
        qs = about(qs, "applications.application", filters.application_id)
    return qs


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


def known_actions(limit: int = 500) -> list[str]:
    """The actions the log holds, in order. A skip scan over the action index (one probe per distinct action):
    ``SELECT DISTINCT`` would read the whole index — millions of entries per oblast a year — on every page view.
    On PostgreSQL the index holds the actions' codes (hromada.audit.fields), read back as the words."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = (f"WITH RECURSIVE seen(action) AS (SELECT min(action) FROM {table} "  # noqa: S608 — the model's table
           f"UNION ALL SELECT (SELECT min(action) FROM {table} WHERE action > seen.action) FROM seen "
           f"WHERE seen.action IS NOT NULL) SELECT action FROM seen WHERE action IS NOT NULL LIMIT %s")
    field = AuditEntry._meta.get_field("action")
    coded = field.db_type(connection) == "integer"   # the index is in the codes' order, not the words'
    with connection.cursor() as cursor:
        cursor.execute(sql, [32767 if coded else limit])   # the codes: a few hundred words, all of them
        return sorted(field.from_db_value(row[0], None, connection) for row in cursor.fetchall())[:limit]
