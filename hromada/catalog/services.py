"""Loading the catalog and the work calendar from the versioned data files in catalog/data/."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_catalog_data(ServiceType, DocumentRequirement, Holiday) -> dict:
    """Upsert services, their checklists and holidays. Takes model classes so that the data
    migration (historical models) and ``sync_catalog`` share one loader."""
    data = _read("services.json")
    counts = {"services": 0, "documents": 0, "holidays": 0}
    for order, item in enumerate(data["services"]):
        item = dict(item)
        documents = item.pop("documents")
        service, _ = ServiceType.objects.update_or_create(code=item.pop("code"), defaults={**item, "ordering": order})
        counts["services"] += 1
        keep = []
        for doc_order, doc in enumerate(documents):
            doc = dict(doc)
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


@transaction.atomic
def sync_catalog() -> dict:
    from .models import DocumentRequirement, Holiday, ServiceType

    return load_catalog_data(ServiceType, DocumentRequirement, Holiday)
