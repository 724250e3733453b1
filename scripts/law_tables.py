"""Regenerate the tables of docs/law.md from the shipped data (catalog/data/services.json, legal_figures.json,
backoffice/data/refusal_reasons.json): `python scripts/law_tables.py` rewrites the sections in place."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "law.md"


def _load(rel: str) -> dict:
    return json.loads((ROOT / "hromada" / rel).read_text(encoding="utf-8"))


def _d(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y") if iso else "—"


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def services_table() -> str:
    rows = ["| service | calculator | calculated_by | basis |", "|---|---|---|---|"]
    for s in _load("catalog/data/services.json")["services"]:
        rows.append(f"| `{s['code']}` | {s.get('calculator') or '—'} | {s.get('calculated_by') or '—'} | "
                    f"{_cell(s.get('calculation_note', ''))} |")
    return "\n".join(rows)


def figures_table() -> str:
    rows = ["| key | value | in force | act, article | act date | confirmed | checked against / note |",
            "|---|---|---|---|---|---|---|"]
    for f in _load("catalog/data/legal_figures.json")["figures"]:
        value = "не встановлено" if f["value"] is None else f"{f['value']} {f['unit']}"
        note = _cell(f["checked_against"]) + (f" — {_cell(f['note'])}" if f.get("note") else "")
        rows.append(f"| `{f['key']}` | {value} | {_d(f['valid_from'])} – {_d(f['valid_to'])} | "
                    f"{_cell(f['act'])}, {_cell(f['article'])} | {_d(f['act_date'])} | "
                    f"{'так' if f['confirmed'] else '**НІ**'} | {note} |")
    return "\n".join(rows)


def unconfirmed_list() -> str:
    return "\n".join(f"- `{f['key']}` ({_d(f['valid_from'])} – {_d(f['valid_to'])}): {_cell(f['note'])}"
                     for f in _load("catalog/data/legal_figures.json")["figures"] if not f["confirmed"])


def reasons_table() -> str:
    data = _load("backoffice/data/refusal_reasons.json")
    rows = ["| service | ground | act, article | confirmed | checked against |", "|---|---|---|---|---|"]
    for service, items in data["services"].items():
        for r in items:
            title = r.get("title_uk") or data["reasons"][r["code"]]
            rows.append(f"| `{service}` | {_cell(title)} (`{r['code']}`) | {_cell(r['act'])}, {_cell(r['article'])} | "
                        f"{'так' if r['confirmed'] else '**НІ**'} | {_cell(r.get('checked_against', ''))} |")
    return "\n".join(rows)


def _replace_table(text: str, heading: str, table: str) -> str:
    """The first markdown table after ``heading`` is replaced."""
    at = text.index(heading)
    m = re.compile(r"^\|.*\n(?:\|.*\n)*", re.M).search(text, at)
    assert m, heading
    return text[:m.start()] + table + "\n" + text[m.end():]


def _replace_list(text: str, heading: str, items: str, marker: str) -> str:
    """The generated bullets between ``heading`` and the first hand-written bullet starting with ``marker``."""
    at = text.index(heading) + len(heading)
    end = text.index(marker, at)
    return text[:at] + "\n\n" + items + "\n" + text[end:]


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    text = _replace_table(text, "## Catalog services: calculated here or marked", services_table())
    text = _replace_table(text, "## Figures", figures_table())
    text = _replace_list(text, "## Unconfirmed (must be checked before these reach a decision)", unconfirmed_list(),
                         "- Every article/point")
    text = _replace_table(text, "## Refusal grounds per service", reasons_table())
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
