"""Social-service rules as data (``data/services.json``): the catalogue of services with their legal basis and
recipients, the terms (each with its source), the free/paid rule, assessment sections and outcomes. Code reads
them here, never hard-codes them. Working days come from the catalogue's holiday calendar."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from hromada.catalog import calendar
from hromada.catalog.models import DocumentRequirement, Timing
from hromada.core.datafile import RulesFile
from hromada.core.text import localized

RULES_FILE = Path(__file__).resolve().parent / "data" / "services.json"

NORMAL, CRISIS = "normal", "crisis"
URGENCIES = {NORMAL: _("Звичайна"), CRISIS: _("Кризова / екстрена ситуація")}


@dataclass(frozen=True)
class Service:
    code: str
    name_uk: str
    legal_basis: str
    recipients: tuple[str, ...]
    basic: bool
    unit: str
    name_en: str = ""

    @property
    def name(self) -> str:
        """The service's name in the interface's language."""
        return localized(self.name_uk, self.name_en)


@dataclass(frozen=True)
class Term:
    days: int
    kind: str
    source: str
    confirmed: bool


_FILE = RulesFile(RULES_FILE)


def rules() -> dict:
    return _FILE.data


def _labels(key: str) -> dict[str, str]:
    return _FILE.labels(key)


def services() -> dict[str, Service]:
    return {s["code"]: Service(s["code"], s["name_uk"], s["legal_basis"], tuple(s["recipients"]), bool(s["basic"]),
                               s["unit"], s.get("name_en", "")) for s in rules()["services"]}


def service_names() -> dict[str, str]:
    return _labels("services")


def recipient_groups() -> dict[str, str]:
    return _labels("recipient_groups")


def sections() -> dict[str, str]:
    return _labels("assessment_sections")


def score_scale() -> dict:
    return rules()["score_scale"]


def referral_bodies() -> dict[str, str]:
    return _labels("referral_bodies")


def outcomes() -> dict[str, str]:
    return _labels("outcomes")


def provider_kinds() -> dict[str, str]:
    return _labels("provider_kinds")


def free_conditions() -> dict[str, str]:
    return {c["code"]: localized(c["name_uk"], c.get("name_en", "")) for c in rules()["payment"]["free_when"]}


def intake_documents() -> dict[str, dict]:
    """{code: {"code", "name_uk", "name", "required", "condition"}} — the documents of an application for social
    services: the catalogue's checklist of the service named in the data (``intake_documents.catalog_service``), the
    same list the front office's wizard asks for with scans. The short form ticks these codes: one list, not two.
    ``name`` and ``condition`` are in the interface's language (``name_uk`` for the Ukrainian documents)."""
    reqs = DocumentRequirement.objects.filter(
        service__code=rules()["intake_documents"]["catalog_service"]).order_by("ordering", "code")
    return {r.code: {"code": r.code, "name_uk": r.title_uk, "name": r.title, "required": r.timing == Timing.BEFORE_SUBMIT,
                     "condition": r.condition_text} for r in reqs}


def term(name: str) -> Term:
    t = rules()["terms"][name]
    return Term(int(t["days"]), t["kind"], t["source"], bool(t.get("confirmed", False)))


def reassessment_months() -> int:
    return int(rules()["terms"]["reassessment_months"]["value"])


def assessment_due(applied_on: date, urgency: str) -> date:
    """Last day for the needs assessment: 5 working days from the application, 1 working day in a crisis
    (terms in services.json with their sources). The day after the application is day one."""
    t = term("assessment_crisis" if urgency == CRISIS else "assessment")
    return calendar.due_date(applied_on, t.days, t.kind)


def decision_due(applied_on: date) -> date:
    t = term("decision")
    return calendar.due_date(applied_on, t.days, t.kind)


def payment_for(conditions: set[str]) -> str:
    """"free" when any condition of the Law's art. 28 list (data) holds, else the data's ``otherwise``."""
    return "free" if set(conditions) & set(free_conditions()) else rules()["payment"]["otherwise"]


PAYMENT_LABELS = {"free": _("Безоплатно"), "paid": _("Платно (за тарифом надавача)")}
