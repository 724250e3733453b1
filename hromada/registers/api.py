"""API of the registers: /applications/{id}/verifications (run, read) and /offers (the desk's hromada)."""
from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from hromada.accounts import access
from hromada.audit.services import audited_read

from . import selectors, services

ROUTER_PREFIX = ""
router = Router(tags=["Державні реєстри (Трембіта)"])


class VerificationOut(Schema):
    # "register" is the contract's name, but also a method of pydantic's model class (ABCMeta.register): the
    # attribute is spelt differently and the JSON uses the alias (the operation answers by_alias).
    register_: str = Field(..., alias="register", description="civil | tax | pension | idp | identity")
    check: str
    result: str = Field(..., description="match | mismatch | not_found | unavailable | pending")
    field: str = Field(..., description="the field that differs (mismatch), else empty")
    checked_at: datetime | None
    request_id: str = Field(..., description="xrd:id of the last exchange")
    override_reason: str


class QueuedOut(Schema):
    queued: int


class OfferOut(Schema):
    id: int
    reference: str
    status: str
    registered_at: datetime
    child_name: str
    child_birth_date: date
    certificate: str
    mother_name: str
    mother_id: int | None
    application_id: int | None
    simulator: bool


@router.post("/applications/{int:application_id}/verifications", response={202: QueuedOut},
             summary="Перевірити заяву в державних реєстрах (запускає або ставить у чергу)")
@access.api_permission("application.intake", "application.review")
def run_verifications(request, application_id: int):
    rows = services.request_verifications(actor=request.user, application_id=application_id, request=request)
    return Status(202, {"queued": len(rows)})


@router.get("/applications/{int:application_id}/verifications", response=list[VerificationOut], by_alias=True,
            summary="Результати перевірок у реєстрах")
@access.api_permission("application.view")
def list_verifications(request, application_id: int):
    app = selectors.case(request.user, application_id)
    rows = selectors.verifications_for(request.user, application_id)
    audited_read(actor=request.user, action="registers.checks", objects=[app], request=request, limit=False)
    return [selectors.as_api(r) for r in rows]


@router.get("/offers", response=list[OfferOut], summary="Проактивні пропозиції громади фронт-офісу")
@access.api_permission("application.intake")
def list_offers(request):
    rows = selectors.offers_for(request.user)
    audited_read(actor=request.user, action="registers.offers", objects=rows, request=request)
    return [{"id": o.pk, "reference": o.reference, "status": o.status, "registered_at": o.registered_at,
             "child_name": o.child_name, "child_birth_date": o.child_birth_date,
             "certificate": f"{o.certificate_series} {o.certificate_number}",
             "mother_name": o.mother.full_name if o.mother_id else o.mother_name, "mother_id": o.mother_id,
             "application_id": o.application_id, "simulator": o.via_simulator} for o in rows]
