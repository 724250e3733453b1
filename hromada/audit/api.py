"""Audit log API: /api/v1/audit — entries for people and programs, with the old and new value of each change."""
from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from ninja import Query, Router, Schema

from hromada.accounts import access
from hromada.core.schemas import Page

from . import services
from .selectors import AuditFilters, audit_entries, present

ROUTER_PREFIX = "/audit"
router = Router(tags=["audit"])
PAGE = 100
FROM, TO = Query(None, alias="from"), Query(None, alias="to")   # «from» is a Python keyword


class EntryOut(Schema):
    id: int
    at: datetime
    user: str
    role: str
    role_label: str
    action: str
    action_label: str
    object_type: str
    object_label: str
    object_id: str
    office: str
    hromada_code: str
    hromada_name: str
    reason: str
    changes: dict


@router.get("", response=list[EntryOut], summary="Журнал аудиту (аудитор, системний адміністратор)")
@access.api_permission("audit.view")
def list_entries(request, response: HttpResponse, person_id: int | None = None, application_id: int | None = None,
                 user: str | None = None, action: str | None = None, page: Page = 1,
                 date_from: date | None = FROM, date_to: date | None = TO):
    """Entries newest first, 100 a page (headers ``X-Total-Count``, ``X-Page``); ``from``/``to`` are dates
    (ДД inclusive); ``changes``: ``{field: [old, new]}`` (``null`` when only the name was recorded; personal data
    as ``•••`` for roles that may not see it). Other roles: 403."""
    qs = audit_entries(request.user, AuditFilters(user=user or "", action=action or "", date_from=date_from,
                                                  date_to=date_to, person_id=person_id,
                                                  application_id=application_id))
    total = qs.count()
    page = max(1, page)
    entries = list(qs[(page - 1) * PAGE:page * PAGE])
    services.audited_read(actor=request.user, action="audit.view", objects=entries, request=request,
                          object_type="audit.auditentry", details={"page": page, "api": True})
    response["X-Total-Count"], response["X-Page"] = str(total), str(page)
    return [row.as_dict() for row in present(request.user, entries)]
