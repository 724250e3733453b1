"""Monitoring API: indicator definitions and values, onboarding steps, workplaces and equipment."""
from __future__ import annotations

from datetime import date

from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status

from hromada.accounts import access
from hromada.core.errors import ValidationFailed
from hromada.core.schemas import Offset
from hromada.offices.models import Office
from hromada.territory.models import Category, Unit

from . import indicators, selectors, services
from .models import STEP_ORDER, EquipmentStatus, WorkplaceStatus
from .periods import parse_period

ROUTER_PREFIX = ""      # the paths below are top level: /indicators, /onboarding, /workplaces
router = Router(tags=["monitoring"])


class IndicatorOut(Schema):
    code: str
    name_uk: str
    name_en: str
    unit: str
    formula: str
    direction: str
    kind: str


class ValueOut(Schema):
    indicator: str
    value: int | float | None
    unit: str


class ValuesQuery(Schema):
    level: str = "country"
    code: str | None = None
    period: str | None = None


@router.get("/indicators", response=list[IndicatorOut], summary="Визначення показників")
@access.api_permission("monitoring.view")
def list_indicators(request):
    return [{"code": i.code, "name_uk": i.name_uk, "name_en": i.name_en, "unit": i.unit, "formula": str(i.formula),
             "direction": i.direction, "kind": i.kind} for i in indicators.INDICATORS]


@router.get("/indicators/values", response=list[ValueOut], summary="Значення показників для території й періоду")
@access.api_permission("monitoring.view")
def indicator_values(request, q: Query[ValuesQuery]):
    """level=country|oblast|raion|hromada, code=КАТОТТГ (not for country), period=YYYY-MM | YYYY-Qn | YYYY."""
    period = parse_period(q.period)
    return selectors.indicator_values(request.user, level=q.level, code=q.code, period=period)


# ---- onboarding ----------------------------------------------------------------------------------------------

class StepOut(Schema):
    step: str
    done_on: date
    note: str
    recorded_by: str | None
    recorded_at: str


class HromadaStepsOut(Schema):
    code: str
    name: str
    oblast: str
    steps: list[StepOut]


class StepIn(Schema):
    step: str
    done_on: date
    note: str = ""


class OblastProgressOut(Schema):
    oblast_code: str
    oblast: str
    hromadas: int
    steps: dict[str, int]


def _step(s) -> dict:
    return {"step": s.step, "done_on": s.done_on, "note": s.note,
            "recorded_by": s.recorded_by.username if s.recorded_by_id else None,
            "recorded_at": s.recorded_at.isoformat()}


def _hromada_steps(unit: Unit, steps: dict) -> dict:
    return {"code": unit.code, "name": unit.name, "oblast": unit.oblast.name if unit.oblast_id else "",
            "steps": [_step(steps[s]) for s in STEP_ORDER if s in steps]}


@router.get("/onboarding/summary", response=list[OblastProgressOut], summary="Підключення громад: за областями")
@access.api_permission("monitoring.view")
def onboarding_summary(request):
    return [{"oblast_code": r["oblast"].code, "oblast": r["oblast"].name, "hromadas": r["hromadas"],
             "steps": dict(r["steps"])} for r in selectors.onboarding_by_oblast(request.user)]


@router.get("/onboarding", response=list[HromadaStepsOut], summary="Підключення громад: етапи по громадах")
@access.api_permission("monitoring.view")
def onboarding_list(request, oblast: str | None = None, limit: int = 100, offset: Offset = 0):
    oblast_unit = None
    if oblast:
        oblast_unit = Unit.objects.filter(code=oblast, category__in=(Category.OBLAST, Category.SPECIAL_CITY)).first()
        if oblast_unit is None:
            raise ValidationFailed(gettext("Область з таким кодом не знайдено."), code="unknown_unit")
    limit = max(1, min(limit, 500))
    page = list(selectors.onboarding_table(request.user, oblast=oblast_unit)[max(offset, 0):max(offset, 0) + limit])
    steps = selectors.steps_for(request.user, [u.pk for u in page])
    return [_hromada_steps(u, steps.get(u.pk, {})) for u in page]


@router.get("/onboarding/{code}", response=HromadaStepsOut, summary="Етапи підключення громади")
@access.api_permission("monitoring.view")
def onboarding_detail(request, code: str):
    unit = selectors.hromada_for(request.user, code)
    return _hromada_steps(unit, selectors.steps_for(request.user, [unit.pk]).get(unit.pk, {}))


@router.post("/onboarding/{code}/steps", response={201: StepOut}, summary="Зафіксувати етап підключення")
@access.api_permission("onboarding.record")
def onboarding_record(request, code: str, data: StepIn):
    unit = selectors.hromada_for(request.user, code)
    step = services.record_onboarding_step(actor=request.user, hromada=unit, step=data.step, done_on=data.done_on,
                                           note=data.note, request=request)
    return Status(201, _step(step))


# ---- workplaces ----------------------------------------------------------------------------------------------

class EquipmentOut(Schema):
    id: int
    type: str
    model_name: str
    serial_number: str
    inventory_number: str
    funding_source: str
    delivered_on: date
    status: str


class WorkplaceOut(Schema):
    id: int
    office_id: int
    office: str
    hromada_code: str
    inventory_number: str
    label: str
    status: str
    funding_source: str
    equipped_on: date | None
    equipment: list[EquipmentOut]


class WorkplaceIn(Schema):
    office_id: int
    inventory_number: str
    funding_source: str
    label: str = ""
    status: str = WorkplaceStatus.PLANNED
    equipped_on: date | None = None


class WorkplaceStatusIn(Schema):
    status: str
    equipped_on: date | None = None


class EquipmentIn(Schema):
    type: str
    serial_number: str
    inventory_number: str
    funding_source: str
    delivered_on: date
    model_name: str = ""
    status: str = EquipmentStatus.DELIVERED


class PlanRowOut(Schema):
    oblast_code: str
    oblast: str
    planned: int | None
    equipped: int
    share: float | None


class PlanOut(Schema):
    national_plan: int | None
    total_equipped: int
    national_share: float | None
    oblasts: list[PlanRowOut]


class PlanIn(Schema):
    oblast: str | None = None
    planned: int
    note: str = ""


def _equipment(e) -> dict:
    return {"id": e.pk, "type": e.type, "model_name": e.model_name, "serial_number": e.serial_number,
            "inventory_number": e.inventory_number, "funding_source": e.funding_source,
            "delivered_on": e.delivered_on, "status": e.status}


def _workplace(w) -> dict:
    return {"id": w.pk, "office_id": w.office_id, "office": w.office.name, "hromada_code": w.office.hromada.code,
            "inventory_number": w.inventory_number, "label": w.label, "status": w.status,
            "funding_source": w.funding_source, "equipped_on": w.equipped_on,
            "equipment": [_equipment(e) for e in w.equipment.all()]}


@router.get("/workplaces", response=list[WorkplaceOut], summary="Робочі місця та обладнання")
@access.api_permission("monitoring.view")
def workplace_list(request, hromada: str | None = None, limit: int = 100, offset: Offset = 0):
    unit = selectors.hromada_for(request.user, hromada) if hromada else None
    limit, offset = max(1, min(limit, 500)), max(offset, 0)
    return [_workplace(w) for w in selectors.workplaces(request.user, hromada=unit)[offset:offset + limit]]


@router.get("/workplaces/plan", response=PlanOut, summary="План і факт облаштування за областями")
@access.api_permission("monitoring.view")
def workplace_plan(request):
    data = selectors.plan_vs_actual(request.user)
    return {"national_plan": data["national_plan"], "total_equipped": data["total_equipped"],
            "national_share": data["national_share"],
            "oblasts": [{"oblast_code": r["oblast"].code, "oblast": r["oblast"].name, "planned": r["planned"],
                         "equipped": r["equipped"], "share": r["share"]} for r in data["rows"]]}


@router.put("/workplaces/plan", response=PlanOut, summary="Встановити план облаштування (міністерство)")
@access.api_permission("workplace.plan")
def workplace_plan_set(request, data: PlanIn):
    oblast = None
    if data.oblast:
        oblast = Unit.objects.filter(code=data.oblast).first()
        if oblast is None:
            raise ValidationFailed(gettext("Область з таким кодом не знайдено."), code="unknown_unit")
    services.set_workplace_plan(actor=request.user, oblast=oblast, planned=data.planned, note=data.note,
                                request=request)
    return workplace_plan(request)


@router.get("/workplaces/{workplace_id}", response=WorkplaceOut, summary="Одне робоче місце")
@access.api_permission("monitoring.view")
def workplace_detail(request, workplace_id: int):
    return _workplace(selectors.workplace_for(request.user, workplace_id))


@router.post("/workplaces", response={201: WorkplaceOut}, summary="Облікувати робоче місце")
@access.api_permission("workplace.record")
def workplace_create(request, data: WorkplaceIn):
    office = Office.objects.select_related("hromada").filter(pk=data.office_id).first()
    if office is None:
        raise ValidationFailed(gettext("Офіс не знайдено."), code="office_not_found")
    w = services.add_workplace(actor=request.user, office=office, inventory_number=data.inventory_number,
                               funding_source=data.funding_source, label=data.label, status=data.status,
                               equipped_on=data.equipped_on, request=request)
    return Status(201, _workplace(selectors.workplace_for(request.user, w.pk)))


@router.post("/workplaces/{workplace_id}/status", response=WorkplaceOut, summary="Змінити стан робочого місця")
@access.api_permission("workplace.record")
def workplace_status(request, workplace_id: int, data: WorkplaceStatusIn):
    w = selectors.workplace_for(request.user, workplace_id)
    services.set_workplace_status(actor=request.user, workplace=w, status=data.status, equipped_on=data.equipped_on,
                                  request=request)
    return _workplace(selectors.workplace_for(request.user, workplace_id))


@router.post("/workplaces/{workplace_id}/equipment", response={201: EquipmentOut}, summary="Облікувати обладнання")
@access.api_permission("workplace.record")
def equipment_create(request, workplace_id: int, data: EquipmentIn):
    w = selectors.workplace_for(request.user, workplace_id)
    item = services.add_equipment(actor=request.user, workplace=w, type=data.type, serial_number=data.serial_number,
                                  inventory_number=data.inventory_number, funding_source=data.funding_source,
                                  delivered_on=data.delivered_on, model_name=data.model_name, status=data.status,
                                  request=request)
    return Status(201, _equipment(item))

