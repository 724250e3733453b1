"""Demo monitoring data: the national workplace plan (7,600), Житомирська's plan, onboarding steps of the two
demo hromadas, their workplaces and equipment. Idempotent: rows are upserted by their natural keys."""
from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from hromada.accounts.models import User
from hromada.offices.models import Function, Office
from hromada.territory.models import Unit

from .models import (
    Equipment,
    EquipmentStatus,
    FundingSource,
    OnboardingStep,
    OnboardingStepCode,
    Workplace,
    WorkplacePlan,
    WorkplaceStatus,
)

OBLAST = "UA18000000000041385"          # Житомирська
BARANIVSKA = "UA18080010000090720"
TETERIVSKA = "UA18040530000045696"
NATIONAL_PLAN = 7600                    # "7,600 workplaces to equip in total" (DOMAIN.md)
OBLAST_PLAN = 310                       # demo figure for Житомирська

S = OnboardingStepCode
# (hromada, step, days ago)
STEPS = [
    (BARANIVSKA, S.COUNCIL_DECISION, 420), (BARANIVSKA, S.STAFF_APPOINTED, 380), (BARANIVSKA, S.WORKPLACES_EQUIPPED, 350),
    (BARANIVSKA, S.STAFF_TRAINED, 330), (BARANIVSKA, S.FIRST_APPLICATION, 310), (BARANIVSKA, S.LIVE, 300),
    (TETERIVSKA, S.COUNCIL_DECISION, 200), (TETERIVSKA, S.STAFF_APPOINTED, 150), (TETERIVSKA, S.WORKPLACES_EQUIPPED, 90),
]
# (hromada, workplace inventory no., label, status, days ago equipped, [(type, model, serial, inventory, funding)])
WORKPLACES = [
    (BARANIVSKA, "ЖТ-БАР-РМ-001", "Кабінет 1, фронт-офіс", WorkplaceStatus.EQUIPPED, 350, [
        ("computer", "Dell OptiPlex 7090", "DLX7090-BR-0001", "ЖТ-БАР-ОЗ-0101", FundingSource.WORLD_BANK),
        ("monitor", "Dell P2422H", "DP2422-BR-0001", "ЖТ-БАР-ОЗ-0102", FundingSource.WORLD_BANK),
        ("mfd", "HP LaserJet M428", "HPM428-BR-0001", "ЖТ-БАР-ОЗ-0103", FundingSource.WORLD_BANK),
        ("key_reader", "Алмаз-1К", "ALMAZ-BR-0001", "ЖТ-БАР-ОЗ-0104", FundingSource.LOCAL_BUDGET)]),
    (BARANIVSKA, "ЖТ-БАР-РМ-002", "Кабінет 2, фронт-офіс", WorkplaceStatus.EQUIPPED, 340, [
        ("computer", "Dell OptiPlex 7090", "DLX7090-BR-0002", "ЖТ-БАР-ОЗ-0201", FundingSource.WORLD_BANK),
        ("scanner", "Fujitsu fi-7160", "FJ7160-BR-0002", "ЖТ-БАР-ОЗ-0202", FundingSource.STATE_BUDGET)]),
    (BARANIVSKA, "ЖТ-БАР-РМ-003", "Старостинський округ с. Кашперівка", WorkplaceStatus.PLANNED, None, []),
    (TETERIVSKA, "ЖТ-ТЕТ-РМ-001", "ЦНАП, вікно 3", WorkplaceStatus.EQUIPPED, 90, [
        ("laptop", "Lenovo ThinkPad E14", "LNE14-TT-0001", "ЖТ-ТЕТ-ОЗ-0101", FundingSource.LOCAL_BUDGET),
        ("mfd", "Canon i-SENSYS MF443", "CNMF443-TT-0001", "ЖТ-ТЕТ-ОЗ-0102", FundingSource.LOCAL_BUDGET)]),
]


@transaction.atomic
def seed() -> None:
    units = {u.code: u for u in Unit.objects.filter(code__in=[OBLAST, BARANIVSKA, TETERIVSKA])}
    if len(units) < 3:
        return
    today = timezone.localdate()
    ministry = User.objects.filter(username="ministry_demo").first()
    oblast_user = User.objects.filter(username="oblast_demo").first()
    WorkplacePlan.objects.update_or_create(oblast=None, defaults={"planned": NATIONAL_PLAN,
                                                                  "note": "Загальна потреба (2018–2025)"})
    WorkplacePlan.objects.update_or_create(oblast=units[OBLAST], defaults={"planned": OBLAST_PLAN,
                                                                           "note": "Демонстраційний план області"})
    for code, step, days in STEPS:
        OnboardingStep.objects.update_or_create(
            hromada=units[code], step=step,
            defaults={"done_on": today - timedelta(days=days), "recorded_by": oblast_user,
                      "recorded_at": timezone.now(), "note": ""})
    for code, number, label, status, days, items in WORKPLACES:
        office = Office.objects.filter(function=Function.FRONT, hromada=units[code]).order_by("id").first()
        if office is None:
            continue
        equipped_on = today - timedelta(days=days) if days is not None else None
        workplace, _ = Workplace.objects.update_or_create(
            inventory_number=number,
            defaults={"office": office, "label": label, "status": status, "equipped_on": equipped_on,
                      "funding_source": FundingSource.WORLD_BANK, "created_by": ministry})
        for type_, model, serial, inventory, funding in items:
            Equipment.objects.update_or_create(
                inventory_number=inventory,
                defaults={"workplace": workplace, "type": type_, "model_name": model, "serial_number": serial,
                          "funding_source": funding, "delivered_on": equipped_on or date(today.year, 1, 15),
                          "status": EquipmentStatus.IN_USE, "created_by": ministry})
