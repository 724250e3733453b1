"""Refusal grounds, a list per service (data: backoffice/data/refusal_reasons.json), each with its act and article.

A ground whose source is not confirmed is listed (marked) but cannot go into a decision (services.decide)."""
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
    service: str
    act: str
    article: str
    confirmed: bool
    checked_against: str = ""

    @property
    def legal_basis(self) -> str:
        return f"{self.act}, {self.article}"


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def reasons_for(service_code: str) -> tuple[RefusalReason, ...]:
    data = _data()
    return tuple(RefusalReason(r["code"], r.get("title_uk") or data["reasons"][r["code"]], service_code, r["act"],
                               r["article"], bool(r["confirmed"]), r.get("checked_against", ""))
                 for r in data["services"].get(service_code, []))


def get_reason(code: str, service_code: str) -> RefusalReason | None:
    """The ground ``code`` as it applies to ``service_code`` (None when the service has no such ground)."""
    return next((r for r in reasons_for(service_code) if r.code == code), None)


def all_service_reasons() -> dict[str, tuple[RefusalReason, ...]]:
    return {code: reasons_for(code) for code in _data()["services"]}
