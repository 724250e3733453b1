"""Children's-service rules as data (``data/rules.json``): urgency terms, circumstance categories,
reporter types, representative roles and outcomes. Code reads them here, never hard-codes them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from hromada.catalog import calendar
from hromada.core.datafile import RulesFile
from hromada.core.text import localized

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.json"


@dataclass(frozen=True)
class Urgency:
    code: str
    name_uk: str
    assessment_days: int
    term_kind: str
    ends_on_day_off: bool
    hint: str
    name_en: str = ""

    @property
    def name(self) -> str:
        """The urgency's name in the interface's language."""
        return localized(self.name_uk, self.name_en)


_FILE = RulesFile(RULES_FILE)


def rules() -> dict:
    return _FILE.data


def _labels(key: str) -> dict[str, str]:
    return _FILE.labels(key)


def urgencies() -> dict[str, Urgency]:
    return {u["code"]: Urgency(u["code"], u["name_uk"], int(u["assessment_days"]), u["term_kind"],
                          bool(u.get("ends_on_day_off", False)), u.get("hint", ""), u.get("name_en", ""))
            for u in rules()["urgency"]}


def circumstances() -> dict[str, str]:
    return _labels("circumstances")


def reporter_types() -> dict[str, str]:
    return _labels("reporter_types")


def representative_roles() -> dict[str, str]:
    return _labels("representative_roles")


def outcomes() -> dict[str, str]:
    return _labels("outcomes")


def review_interval_days() -> int:
    return int(rules()["review_interval_days"])


def choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    return list(labels.items())


def assessment_due(reported_on: date, urgency: str) -> date:
    """Last day for the needs assessment: the urgency's term counted from the day the report arrived.

    A term marked ``ends_on_day_off`` (immediate: 24 hours) is plain calendar days and is not moved
    off a weekend — a child in danger is assessed on any day. Other terms follow the catalogue
    calendar (working days skip days off; calendar terms ending on a day off move to the next working day).
    """
    rule = urgencies()[urgency]
    if rule.ends_on_day_off:
        return reported_on + timedelta(days=rule.assessment_days)
    return calendar.due_date(reported_on, rule.assessment_days, rule.term_kind)
