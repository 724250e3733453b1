"""Shared guards of the front-office services: who may act, which case, whether it may still change."""
from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import Expression, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.catalog.models import DocumentRequirement
from hromada.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hromada.offices.models import Function, Office

from ..models import Application, Document, Status
from ..workflow import StaleVersion

# States in which the case is at the back office: the front office may only add missing documents.
AT_BACK_OFFICE = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED})
# States in which the front office edits the case freely (a draft, or a case returned for correction).
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def front_office_of(actor: User) -> Office:
    """The actor's front office (intake needs one: it becomes the receiving office of the case)."""
    access.require(actor, "application.intake")
    office = actor.office
    if office is None or office.function != Function.FRONT or office.hromada_id is None:
        raise Forbidden(_("Ваш обліковий запис не прив’язаний до фронт-офісу громади."), code="no_front_office")
    return office


def lock_application(actor: User, application_id: int, *, action: str, expected_version: int | None = None,
                     annotations: Mapping[str, Expression | Subquery] | None = None) -> Application:
    """The visible case, row-locked for the caller's transaction (NotFound outside the scope). ``annotations``: what
    else the caller reads with it (as of the statement's start: see the caller's own comment for why that holds)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_application must run inside the service's transaction")
    # One query: the scope check, the row lock (of the case only: locking the joined service row would serialise
    # every intake of that service) and the service and hromada, which nearly every caller needs.
    app = access.get_visible(actor, Application.objects.select_for_update(of=("self",))
                             .select_related("service", "hromada").annotate(**(annotations or {})),
                             pk=application_id)
    access.require(actor, action)
    if expected_version is not None and app.version != expected_version:
        raise StaleVersion()
    return app


def lock_and_bump(actor: User, application_id: int, *, action: str,
                  document_code: str) -> tuple[Application, bool, set[str]]:
    """The visible case, locked by the UPDATE that moves its version, in ONE statement (instead of a lock and a
    bump after the change): for a change that always moves the version (a scan attached). NotFound outside the
    scope, as ``lock_application``; any later refusal rolls the bump back with the caller's transaction.
    Returns the case, whether its service's checklist has ``document_code``, and its scans' hashes (hex), read in
    the same statement under the lock: the same file twice is refused by them (no unique index holds a case's hashes:
    ``applications/0020``). The service and hromada are not joined (an UPDATE returns its own row)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_and_bump must run inside the service's transaction")
    try:
        scope_sql, scope_params = access.visible(actor, Application).filter(pk=int(application_id)).values(
            "pk").query.sql_with_params()
    except (EmptyResultSet, TypeError, ValueError):   # no view right, or a malformed id: "not found" alike
        raise NotFound() from None
    connection = transaction.get_connection()
    qn, meta = connection.ops.quote_name, Application._meta
    table, requirements = qn(meta.db_table), qn(DocumentRequirement._meta.db_table)
    scans, sha = qn(Document._meta.db_table), qn(Document._meta.get_field("sha256").column)
    postgres = connection.vendor == "postgresql"
    hashes = f"string_agg(encode(d.{sha}, 'hex'), ',')" if postgres else f"group_concat(lower(hex(d.{sha})), ',')"
    # PostgreSQL: a subquery reads the snapshot the statement began with, even when the UPDATE then waited for the
    # row's lock. The case's version as that snapshot saw it tells whether anything changed the case in between
    # (every scan moves the version): then the hashes are read again, under the lock. SQLite: writers queue whole.
    seen = f", (SELECT s.{qn('version')} FROM {table} s WHERE s.{qn('id')} = {table}.{qn('id')}) AS seen_version" \
        if postgres else ""   # noqa: S608 — identifiers from the models, quoted by the backend
    now = meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    columns = ", ".join(qn(f.column) for f in meta.concrete_fields)   # SQLite's RETURNING takes no "table.*"
    # Identifiers from the models, quoted by the backend; every value is a parameter. RETURNING gives the row as
    # updated (UPDATE … RETURNING: PostgreSQL, SQLite ≥ 3.35).
    sql = (f"UPDATE {table} SET {qn('version')} = {qn('version')} + 1, {qn('updated_at')} = %s "  # noqa: S608
           f"WHERE {qn('id')} IN ({scope_sql}) RETURNING {columns}, EXISTS (SELECT 1 FROM {requirements} r "
           f"WHERE r.{qn('service_id')} = {table}.{qn('service_id')} AND r.{qn('code')} = %s) AS code_known, "
           f"(SELECT {hashes} FROM {scans} d WHERE d.{qn('application_id')} = {table}.{qn('id')}) AS scan_hashes"
           f"{seen}")
    app = next(iter(Application.objects.raw(sql, [now, *scope_params, document_code or ""])), None)
    if app is None:
        raise NotFound()
    access.require(actor, action)
    # The statement's extra columns.
    if postgres and app.seen_version + 1 != app.version:   # type: ignore[attr-defined]
        known = set(app.documents.values_list("sha256", flat=True))   # changed meanwhile: read under the lock
    else:
        known = set(filter(None, (app.scan_hashes or "").split(",")))   # type: ignore[attr-defined]
    return app, bool(app.code_known), known   # type: ignore[attr-defined]


def require_editable(app: Application) -> None:
    if app.status not in EDITABLE:
        raise Conflict(
            _("Заява у статусі «%(status)s» доступна фронт-офісу лише для перегляду "
            "(можна тільки донести відсутні документи).") % {"status": app.get_status_display()},
            code="application_read_only", details={"status": app.status})


def bump(app: Application, *fields: str) -> None:
    """Save a non-state change: the optimistic version moves so stale forms are refused."""
    app.version += 1
    app.save(update_fields=[*fields, "version", "updated_at"])


def clean_text(value: str | None, *, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationFailed(_("Поле «%(f)s» задовге (максимум %(n)s символів).") % {"f": field, "n": max_length},
                               code="too_long")
    return text
