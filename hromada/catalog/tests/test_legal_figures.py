"""Legal figures: every figure in hromada/**/data/ has its source; a new figure is a data change (audited), the
catalog says of every service whether it is calculated here or by whom."""
import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hromada.audit.models import AuditEntry
from hromada.backoffice import calculators
from hromada.backoffice.reasons import all_service_reasons
from hromada.catalog.legal import FigureBook, LegalFigureMissing
from hromada.catalog.models import LegalFigure, ServiceType
from hromada.catalog.services import set_legal_figure

ROOT = Path(__file__).resolve().parents[2]          # hromada/
DATA_FILES = sorted(p for p in ROOT.glob("**/data/**/*") if p.is_file())


def test_every_data_file_says_where_it_comes_from():
    assert DATA_FILES
    for path in DATA_FILES:
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            assert str(data.get("source", "")).strip(), f"{path}: no top-level source"
        else:
            assert (path.parent / "SOURCE.txt").exists() or path.name == "SOURCE.txt", f"{path}: no SOURCE.txt beside it"


def test_every_figure_has_act_article_date_and_period():
    files = [p for p in DATA_FILES if p.name == "legal_figures.json"]
    assert files
    for path in files:
        seen = set()
        for f in json.loads(path.read_text(encoding="utf-8"))["figures"]:
            where = f"{path.name}: {f.get('key')} from {f.get('valid_from')}"
            for name in ("key", "label_uk", "unit", "act", "article", "act_date", "valid_from"):
                assert str(f.get(name) or "").strip(), f"{where}: no {name}"
            date.fromisoformat(f["act_date"])
            start = date.fromisoformat(f["valid_from"])
            assert f["valid_to"] is None or date.fromisoformat(f["valid_to"]) >= start, where
            assert isinstance(f["confirmed"], bool), where
            # A confirmed figure names the public text it was found in; a figure without a value is never confirmed.
            assert not f["confirmed"] or f["checked_against"].strip(), f"{where}: confirmed without checked_against"
            assert f["value"] is not None or not f["confirmed"], where
            if not f["confirmed"]:
                assert f["note"].strip(), f"{where}: unconfirmed without a note saying why"
            assert (f["key"], f["valid_from"]) not in seen, where
            seen.add((f["key"], f["valid_from"]))


def test_every_refusal_ground_has_act_and_article():
    data = json.loads((ROOT / "backoffice/data/refusal_reasons.json").read_text(encoding="utf-8"))
    for service, rows in data["services"].items():
        assert rows, service
        for row in rows:
            assert row["code"] in data["reasons"], (service, row)
            assert row["act"].strip() and row["article"].strip(), (service, row)
            assert not row["confirmed"] or row["checked_against"].strip(), (service, row)
            assert "відповідний вид допомоги" not in row["act"]     # the old placeholder wording


@pytest.mark.django_db
def test_the_database_holds_the_shipped_figures_and_every_service_is_calculated_or_marked():
    shipped = json.loads((ROOT / "catalog/data/legal_figures.json").read_text(encoding="utf-8"))["figures"]
    assert LegalFigure.objects.count() == len(shipped)
    assert LegalFigure.objects.get(key="subsistence_minimum.able_bodied", valid_from=date(2026, 1, 1)).value == 3328
    reasons = all_service_reasons()
    for service in ServiceType.objects.all():
        assert bool(service.calculator) != bool(service.calculated_by), service.code
        assert service.calculation_note.strip(), service.code
        if service.calculator:
            assert service.calculator in calculators.CALCULATORS, service.code
        assert reasons.get(service.code), f"{service.code}: no refusal grounds"


@pytest.mark.django_db
def test_catalog_api_names_the_calculator_or_who_calculates(api):
    body = api().get("catalog/services/housing_subsidy").json()
    assert body["calculator"] == "housing_subsidy" and body["calculated_by"] is None
    body = api().get("catalog/services/care_allowance").json()
    assert body["calculator"] is None and body["calculated_by"] == "pension_fund"
    assert "1727-IV" in body["calculation_note"]
    assert api().get("catalog/services/child_rights").json()["calculated_by"] == "not_applicable"
    body = api().get("catalog/services/guardianship_children").json()
    assert body["calculator"] == "guardianship_children" and body["calculated_by"] is None
    assert "1751" in body["calculation_note"] and "2811-XII" in body["calculation_note"]


@pytest.mark.django_db
def test_every_calculator_serves_a_catalog_service():
    used = set(ServiceType.objects.exclude(calculator="").values_list("calculator", flat=True))
    assert used == set(calculators.CALCULATORS)


@pytest.mark.django_db
def test_a_new_subsistence_minimum_is_a_data_change_and_is_audited():
    out = StringIO()
    call_command("set_legal_figure", "subsistence_minimum.general", "3500", "--from", "2027-01-01",
                 "--act", "Закон України «Про Державний бюджет України на 2027 рік»", "--article", "ст. 7",
                 "--act-date", "2026-12-01", stdout=out)
    assert "НЕ підтверджено" in out.getvalue()
    before = LegalFigure.objects.get(key="subsistence_minimum.general", valid_from=date(2026, 1, 1))
    assert before.valid_to == date(2026, 12, 31)
    assert FigureBook(date(2026, 12, 31)).value("subsistence_minimum.general") == Decimal("3209")
    assert FigureBook(date(2027, 1, 1)).value("subsistence_minimum.general") == Decimal("3500")
    with pytest.raises(LegalFigureMissing):
        FigureBook(date(2027, 1, 1), strict=True).value("subsistence_minimum.general")
    actions = list(AuditEntry.objects.filter(action__startswith="legal_figure.").values_list("action", flat=True))
    assert actions == ["legal_figure.close", "legal_figure.set"]
    with pytest.raises(CommandError):
        call_command("set_legal_figure", "new.figure", "1", "--from", "2027-01-01", "--act", "X", "--article", "1",
                     "--act-date", "2026-01-01", stdout=StringIO())


@pytest.mark.django_db
def test_a_stored_calculation_keeps_its_figures_and_recompute_shows_the_difference():
    inputs = {"members": 1, "income": "4000", "area": "50", "heating_per_m2": "40", "services": "600"}
    stored = calculators.calculate("housing_subsidy", inputs, date(2026, 11, 10)).as_json()
    assert calculators.recompute(stored).changed == []
    # The figure for 2026 is corrected (a data change): the stored calculation keeps 3,209; recomputing shows it.
    set_legal_figure(actor=None, key="subsistence_minimum.general", value="3300", valid_from=date(2026, 1, 1),
                     act="Закон України «Про Державний бюджет України на 2026 рік»", article="ст. 7",
                     act_date=date(2025, 12, 3), confirmed=True, checked_against="тест: виправлення")
    again = calculators.recompute(stored)
    assert [c["label"] for c in again.changed] == ["Прожитковий мінімум на одну особу"]
    assert again.changed[0]["stored"] == "3209" and again.changed[0]["current"] == "3300"
    assert again.stored_total == Decimal("13084.80") and again.difference is not None and again.difference > 0
    assert next(f for f in stored["figures"] if f["key"] == "subsistence_minimum.general")["value"] == "3209"


def test_docs_law_lists_every_figure_and_its_confirmation():
    doc = (ROOT.parent / "docs" / "law.md").read_text(encoding="utf-8")
    for f in json.loads((ROOT / "catalog/data/legal_figures.json").read_text(encoding="utf-8"))["figures"]:
        assert f"`{f['key']}`" in doc, f"docs/law.md misses {f['key']} (regenerate the table)"
    assert "## Unconfirmed" in doc
