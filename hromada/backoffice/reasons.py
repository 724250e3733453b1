"""The legal-reasons list for refusals (data: backoffice/data/refusal_reasons.json)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "refusal_reasons.json"


@dataclass(frozen=True)
class RefusalReason:
    code: str
    title_uk: str
    legal_basis: str
    services: tuple[str, ...]      # empty: applies to every service

    def applies_to(self, service_code: str) -> bool:
        return not self.services or service_code in self.services


@lru_cache(maxsize=1)
def all_reasons() -> dict[str, RefusalReason]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {r["code"]: RefusalReason(r["code"], r["title_uk"], r["legal_basis"], tuple(r.get("services", ())))
            for r in data["reasons"]}


def reasons_for(service_code: str) -> list[RefusalReason]:
    return [r for r in all_reasons().values() if r.applies_to(service_code)]


def get_reason(code: str) -> RefusalReason | None:
    return all_reasons().get(code)
