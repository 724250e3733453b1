"""Law No. 4681-IX of 05.11.2025 (in force 01.01.2026): the 2026 figures for assistance in pregnancy and childbirth and
for the new care allowance to age one, and the legal grounds found for the services that had none — all on the SHIPPED
data (catalog/data/legal_figures.json loaded by the migrations, backoffice/data/refusal_reasons.json).

No official worked example with a total was found for either payment (the PFU pages give only the monthly amounts),
so these tests check the amounts the PFU states and the rule the press reports from the act (10 500 = 7 000 × 1,5);
the articles of the law that set them were not found, so the rows are unconfirmed and a decision must refuse them."""
from datetime import date
from decimal import Decimal

import pytest

from hromada.backoffice.reasons import reasons_for
from hromada.catalog.legal import FigureBook, LegalFigureMissing
from hromada.catalog.models import LegalFigure, ServiceType

NEW_KEYS = ("pregnancy.monthly_amount", "child_care_under_1.monthly", "child_care_under_1.monthly_disabled")


@pytest.mark.django_db
def test_2026_amounts_as_the_pension_fund_states_them():
    """ГУ ПФУ в Луганській області (sud.ua, 22.01.2026): «У 2026 році допомога [у зв’язку з вагітністю та пологами]
    надається в розмірі 7 000 грн, із розрахунку на місяць»; ПФУ (finance.novyny.live, 10.01.2026): допомога для
    догляду за дитиною до одного року — «7 000 гривень, а сім’ї, якщо займаються вихованням дитини з інвалідністю,
    отримуватимуть по 10 500 гривень»."""
    book = FigureBook(date(2026, 3, 1))
    assert book.value("pregnancy.monthly_amount") == Decimal("7000")
    assert book.value("child_care_under_1.monthly") == Decimal("7000")
    assert book.value("child_care_under_1.monthly_disabled") == Decimal("10500")
    # The preview shows them, and says they are unconfirmed.
    assert len(book.unconfirmed) == 3


@pytest.mark.django_db
def test_the_disability_amount_follows_the_acts_coefficient():
    """The rule as reported from the act (telegraf.in.ua, 06.11.2025): «10 500 грн (із застосуванням коефіцієнта
    1,5)» — our own arithmetic on the shipped rows, not an official worked example."""
    book = FigureBook(date(2026, 12, 31))
    assert book.value("child_care_under_1.monthly") * Decimal("1.5") == book.value("child_care_under_1.monthly_disabled")


@pytest.mark.django_db
def test_unconfirmed_new_amounts_never_reach_a_decision():
    for key in NEW_KEYS:
        row = LegalFigure.objects.get(key=key, valid_from=date(2026, 1, 1))
        assert not row.confirmed and "4681-IX" in row.act and row.checked_against and row.note
        with pytest.raises(LegalFigureMissing) as exc:
            FigureBook(date(2026, 3, 1), strict=True).value(key)
        assert exc.value.details["unconfirmed"] is True


@pytest.mark.django_db
def test_no_amount_before_the_law_nor_after_2026_when_the_budget_law_sets_it():
    """The allowance did not exist before 01.01.2026; from 2027 the budget law sets the amounts (telegraf.in.ua,
    06.11.2025: «З 2027 року розмір допомоги встановлюватиметься державним бюджетом») — no row, so no amount."""
    for day in (date(2025, 12, 31), date(2027, 1, 1)):
        for key in NEW_KEYS:
            with pytest.raises(LegalFigureMissing) as exc:
                FigureBook(day).value(key)
            assert "Розмір не встановлено" in str(exc.value.message)


@pytest.mark.django_db
def test_care_to_one_is_in_the_catalog_and_computed_by_the_pension_fund(api):
    service = ServiceType.objects.get(code="child_care_under_1")
    assert service.deciding_authority == "pension_fund" and "4681-IX" in service.legal_basis
    assert service.documents.filter(code="child_birth_certificate").exists()
    body = api().get("catalog/services/child_care_under_1").json()
    assert body["calculator"] is None and body["calculated_by"] == "pension_fund"
    assert "10 500" in body["calculation_note"] and "1805" in body["calculation_note"]
    assert "pregnancy.monthly_amount" in api().get("catalog/services/pregnancy_childbirth").json()["calculation_note"]


def test_grounds_found_for_the_services_that_had_none():
    # Adoption and guardianship (the service coded child_care_under_3): Law 2811-XII art. 12-1 and 17, quoted.
    no_right = next(r for r in reasons_for("child_care_under_3") if r.code == "no_right")
    assert no_right.confirmed and "ст. 12-1" in no_right.article and "ст. 17" in no_right.article
    assert "усиновила дитину" in no_right.checked_against
    # Uninsured pregnant women: art. 7, quoted; the right itself restated by the PFU for 2026.
    no_right = next(r for r in reasons_for("pregnancy_childbirth") if r.code == "no_right")
    assert no_right.confirmed and no_right.article.startswith("ст. 7") and "статті 7" in no_right.checked_against
    # The children's service: Resolution 866 has no point with refusal grounds, but the matter is a citizen's appeal,
    # and art. 8 of the Law on citizens' appeals (quoted) says which appeals are not considered.
    grounds = {r.code: r for r in reasons_for("child_rights")}
    assert grounds["appeal_not_reviewable"].confirmed and grounds["appeal_not_reviewable"].article.startswith("ст. 8")
    assert "393/96-ВР" in grounds["appeal_not_reviewable"].act
    assert "якщо перше вирішено по суті" in grounds["appeal_not_reviewable"].checked_against
    assert not grounds["no_right"].confirmed and not grounds["documents_not_submitted"].confirmed
    # Care to one: what the PFU says is recorded, but no article number → no ground may go into a decision.
    grounds = reasons_for("child_care_under_1")
    assert {r.code for r in grounds} == {"no_right", "claim_period_expired", "documents_not_submitted"}
    assert not any(r.confirmed for r in grounds)
    assert "не пізніше місяця, що настає після досягнення дитиною однорічного віку" in next(
        r for r in grounds if r.code == "claim_period_expired").checked_against


def test_every_shipped_figure_fits_the_database_columns():
    """SQLite does not enforce lengths; PostgreSQL does (the migration loads every row)."""
    import json
    from pathlib import Path

    rows = json.loads((Path(__file__).resolve().parents[1] / "data" / "legal_figures.json").read_text(encoding="utf-8"))
    limits = {name: LegalFigure._meta.get_field(name).max_length for name in ("key", "label_uk", "article")}
    for f in rows["figures"]:
        for name, limit in limits.items():
            assert len(f[name]) <= limit, (f["key"], name, len(f[name]))
