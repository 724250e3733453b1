"""Loading the catalog and the work calendar from the versioned data files in catalog/data/."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from hromada.accounts.models import User
from hromada.audit.services import record
from hromada.core.errors import ValidationFailed

if TYPE_CHECKING:
    from .models import LegalFigure

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_catalog_data(ServiceType: Any, DocumentRequirement: Any, Holiday: Any) -> dict:
    """Upsert services, their checklists and holidays. Takes model classes so that the data
    migration (historical models, hence ``Any``) and ``sync_catalog`` share one loader."""
    data = _read("services.json")
    counts = {"services": 0, "documents": 0, "holidays": 0}
    # An earlier migration's historical model lacks the later fields: it loads what it has, a later one the rest.
    known = {f.name for f in ServiceType._meta.get_fields()} | {"documents"}
    known_doc = {f.name for f in DocumentRequirement._meta.get_fields()}
    for order, item in enumerate(data["services"]):
        item = {k: v for k, v in item.items() if k in known}
        documents = item.pop("documents")
        service, _ = ServiceType.objects.update_or_create(code=item.pop("code"), defaults={**item, "ordering": order})
        counts["services"] += 1
        keep = []
        for doc_order, doc in enumerate(documents):
            doc = {k: v for k, v in doc.items() if k in known_doc}
            DocumentRequirement.objects.update_or_create(service=service, code=doc.pop("code"),
                                                         defaults={**doc, "ordering": doc_order})
            keep.append(documents[doc_order]["code"])
            counts["documents"] += 1
        DocumentRequirement.objects.filter(service=service).exclude(code__in=keep).delete()

    calendar = _read("calendar.json")
    suspensions = [(date.fromisoformat(s["from"]), date.fromisoformat(s["to"]) if s["to"] else None, s["basis"])
                   for s in calendar["suspensions"]]
    for item in calendar["holidays"]:
        day = date.fromisoformat(item["date"])
        basis = next((b for start, end, b in suspensions if start <= day and (end is None or day <= end)), "")
        Holiday.objects.update_or_create(date=day, defaults={"name": item["name"], "is_day_off": not basis,
                                                             "basis": basis})
        counts["holidays"] += 1
    return counts


FIGURE_FIELDS = ("label_uk", "value", "unit", "valid_to", "act", "article", "act_date", "confirmed", "checked_against",
                 "note")


def load_legal_figures(LegalFigure: Any) -> int:
    """Upsert the shipped figures by (key, valid_from). Rows added later by ``set_legal_figure`` (periods the file
    does not have) are left as they are. Takes the model class so the data migration shares the loader."""
    count = 0
    for item in _read("legal_figures.json")["figures"]:
        defaults = {name: item.get(name) for name in FIGURE_FIELDS}
        defaults["checked_against"] = defaults["checked_against"] or ""
        defaults["note"] = defaults["note"] or ""
        LegalFigure.objects.update_or_create(key=item["key"], valid_from=item["valid_from"], defaults=defaults)
        count += 1
    return count


@transaction.atomic
def sync_catalog() -> dict:
    from .models import DocumentRequirement, Holiday, LegalFigure, ServiceType

    counts = load_catalog_data(ServiceType, DocumentRequirement, Holiday)
    counts["figures"] = load_legal_figures(LegalFigure)
    return counts


def _decimal(raw: object) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationFailed(gettext("Некоректне значення показника."), code="invalid_figure") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise ValidationFailed(gettext("Некоректне значення показника."), code="invalid_figure")
    return value


@transaction.atomic
def set_legal_figure(*, actor: User | None, key: str, value: Decimal | str | float | None, valid_from: date, act: str,
                     article: str, act_date: date,
                     confirmed: bool, checked_against: str = "", note: str = "", label_uk: str = "",
                     unit: str = "", valid_to: date | None = None) -> LegalFigure:
    """A new figure from ``valid_from`` (e.g. the прожитковий мінімум of a new budget law): the period in force
    before it is closed the day before, so the figures a past calculation used stay as they were. The same
    (key, valid_from) again corrects that row. Audited with the old and new values."""
    from .models import FigureUnit, LegalFigure

    key, act, article = (key or "").strip(), (act or "").strip(), (article or "").strip()
    if not key or not act or not article or act_date is None or valid_from is None:
        raise ValidationFailed(gettext("Показник потребує ключа, акта, статті (пункту), дати акта й дати початку дії."),
                               code="invalid_figure")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(gettext("Дата закінчення дії раніша за дату початку."), code="invalid_figure")
    number = _decimal(value)
    previous = (LegalFigure.objects.select_for_update().filter(key=key, valid_from__lte=valid_from)
                .order_by("-valid_from").first())
    label_uk = (label_uk or "").strip() or (previous.label_uk if previous else "")
    unit = unit or (previous.unit if previous else "")
    if not label_uk or unit not in FigureUnit.values:
        raise ValidationFailed(gettext("Для нового показника вкажіть назву й одиницю."), code="invalid_figure")
    later = LegalFigure.objects.filter(key=key, valid_from__gt=valid_from).order_by("valid_from").first()
    if later is not None and (valid_to is None or valid_to >= later.valid_from):
        valid_to = later.valid_from - timedelta(days=1)
    old = None
    if previous is not None and previous.valid_from == valid_from:
        row = previous
        old = {"value": str(row.value), "act": row.act, "article": row.article, "confirmed": row.confirmed}
    else:
        if previous is not None and (previous.valid_to is None or previous.valid_to >= valid_from):
            LegalFigure.objects.filter(pk=previous.pk).update(valid_to=valid_from - timedelta(days=1))
            record(actor=actor, action="legal_figure.close", obj=previous,
                   details={"key": key, "valid_to": (valid_from - timedelta(days=1)).isoformat()})
        row = LegalFigure(key=key, valid_from=valid_from)
    for name, val in {"label_uk": label_uk, "value": number, "unit": unit, "valid_to": valid_to, "act": act,
                      "article": article, "act_date": act_date, "confirmed": confirmed,
                      "checked_against": checked_against or "", "note": note or ""}.items():
        setattr(row, name, val)
    row.full_clean(validate_unique=False)
    row.save()
    record(actor=actor, action="legal_figure.set", obj=row,
           details={"key": key, "valid_from": valid_from.isoformat(), "value": str(number), "confirmed": confirmed,
                    "old": old})
    return row
