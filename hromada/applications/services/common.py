"""Shared guards of the front-office services: who may act, which case, whether it may still change."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.core.errors import Conflict, Forbidden, ValidationFailed
from hromada.offices.models import Function, Office

from ..models import Application, Status
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


def lock_application(actor: User, application_id: int, *, action: str, expected_version: int | None = None) -> Application:
    """The visible case, row-locked for the caller's transaction (NotFound outside the scope)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_application must run inside the service's transaction")
    # One query: the scope check, the row lock (of the case only: locking the joined service row would serialise
    # every intake of that service) and the service and hromada, which nearly every caller needs.
    app = access.get_visible(actor, Application.objects.select_for_update(of=("self",))
                             .select_related("service", "hromada"), pk=application_id)
    access.require(actor, action)
    if expected_version is not None and app.version != expected_version:
        raise StaleVersion()
    return app


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
