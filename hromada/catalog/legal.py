"""Legal figures in force on a date (reads; the rows are LegalFigure, loaded from catalog/data/legal_figures.json).

A calculator asks a ``FigureBook`` for each figure it uses. A figure with no row in force on the date, or whose
value is not established, stops the calculation with ``LegalFigureMissing`` ("розмір не встановлено для …",
code ``legal_figure_missing``, 422). A figure in force but not confirmed is used for a preview and listed in
``unconfirmed``; a decision never takes it (``FigureBook(strict=True)`` refuses it like a missing one).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.db.models import Q
from django.utils.translation import gettext

from hromada.core.error_codes import ErrorCode
from hromada.core.errors import ValidationFailed

from .models import LegalFigure


class LegalFigureMissing(ValidationFailed):
    code = ErrorCode.LEGAL_FIGURE_MISSING


@dataclass(frozen=True)
class UsedFigure:
    """A figure as a calculation used it: enough to print its source and to compare with today's data."""
    key: str
    label: str
    value: Decimal
    unit: str
    valid_from: date
    valid_to: date | None
    source: str
    confirmed: bool

    def as_json(self) -> dict:
        return {"key": self.key, "label": self.label, "value": str(self.value), "unit": self.unit,
                "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to else None,
                "source": self.source, "confirmed": self.confirmed}


def in_force(on: date):
    return LegalFigure.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


@lru_cache(maxsize=1)
def _shipped_labels() -> dict[str, str]:
    data = json.loads((Path(__file__).resolve().parent / "data" / "legal_figures.json").read_text(encoding="utf-8"))
    return {f["key"]: f["label_uk"] for f in data["figures"]}


def _label_for(key: str) -> str:
    """The figure's name for a message, even when the database has no row for it at all."""
    row = LegalFigure.objects.filter(key=key).order_by("-valid_from").first()
    return row.label_uk if row else _shipped_labels().get(key, key)


def _missing(key: str, on: date, *, unconfirmed: bool = False) -> LegalFigureMissing:
    label = _label_for(key)
    message = gettext("Розмір не встановлено для «%(label)s» на %(day)s.") % {"label": label, "day": on.strftime("%d.%m.%Y")}
    if unconfirmed:
        message = gettext("Розмір не встановлено для «%(label)s» на %(day)s: значення не підтверджено чинним актом, "
                          "тому його не можна застосувати в рішенні.") % {"label": label, "day": on.strftime("%d.%m.%Y")}
    return LegalFigureMissing(message, details={"key": key, "date": on.isoformat(), "unconfirmed": unconfirmed})


class FigureBook:
    """The figures in force on ``on`` (one query), and a record of those a calculation used."""

    def __init__(self, on: date, *, strict: bool = False):
        self.on, self.strict = on, strict
        self._rows: dict[date, dict[str, LegalFigure]] = {}
        self.used: dict[str, UsedFigure] = {}
        self.missing: list[str] = []     # figures a preview went without (labels), shown as unconfirmed

    def _rows_on(self, day: date) -> dict[str, LegalFigure]:
        if day not in self._rows:
            rows: dict[str, LegalFigure] = {}
            for row in in_force(day).order_by("valid_from"):
                rows[row.key] = row          # the latest period wins if two overlap
            self._rows[day] = rows
        return self._rows[day]

    def figure(self, key: str, *, on: date | None = None) -> UsedFigure:
        day = on or self.on
        row = self._rows_on(day).get(key)
        if row is None or row.value is None:
            raise _missing(key, day)
        if self.strict and not row.confirmed:
            raise _missing(key, day, unconfirmed=True)
        value = Decimal(int(row.value)) if row.value == row.value.to_integral() else row.value.normalize()
        used = UsedFigure(row.key, row.label_uk, value, row.unit, row.valid_from, row.valid_to, row.source, row.confirmed)
        self.used[f"{key}@{day.isoformat()}" if on else key] = used
        return used

    def value(self, key: str, *, on: date | None = None) -> Decimal:
        return self.figure(key, on=on).value

    @property
    def unconfirmed(self) -> list[str]:
        return [f.label for f in self.used.values() if not f.confirmed] + list(self.missing)


def figures_table() -> list[LegalFigure]:
    """Every figure, by key and period (the admin, docs and the provenance test read it)."""
    return list(LegalFigure.objects.order_by("key", "valid_from"))
