"""Decision notices read back by text extraction (pypdf): the real legal basis with its article, the calculation's
lines with their sources, the amount in words, the refusal's ground with its article, the signature lines; and
the calculators' API (contract: total, currency, lines with sources, unconfirmed; 422 legal_figure_missing)."""
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from hromada.backoffice import services
from hromada.catalog.models import LegalFigure
from hromada.core.words import amount_in_words

from .factories import submitted_case

pytestmark = pytest.mark.django_db


def pdf_text(client, app) -> str:
    r = client.get(f"applications/{app.pk}/decision.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    return re.sub(r"\s+", " ", text)


def test_grant_notice_cites_articles_sources_amount_in_words_and_signatures(api, back):
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    born = app.application_date - timedelta(days=20)
    services.decide(actor=back, application_id=app.pk, outcome="granted",
                    calculator_inputs={"birth_date": born.isoformat(), "children": "1"})
    text = pdf_text(api(back), app)
    assert "РІШЕННЯ ПРО ПРИЗНАЧЕННЯ ДОПОМОГИ" in text
    assert "50 000,00 грн" in text
    assert "п’ятдесят тисяч гривень 00 копійок" in text
    assert "Джерело" in text and "ст. 12" in text and "ст. 11" in text and "2811-XII" in text and "1751" in text
    assert "Посадова особа" in text and "______________" in text and back.short_name in text
    assert "Рішення отримав(ла)" in text


def test_refusal_notice_cites_the_ground_with_its_article(api, back):
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="claim_period_expired")
    text = pdf_text(api(back), app)
    assert "РІШЕННЯ ПРО ВІДМОВУ" in text
    assert "Підстава відмови: Звернення надійшло пізніше 12 місяців з дня народження дитини" in text
    assert "Правова підстава відмови" in text and "2811-XII" in text and "ст. 11" in text
    assert "Закон, що встановлює відповідний вид допомоги" not in text
    assert "Посадова особа" in text and back.short_name in text


def test_an_unconfirmed_ground_cannot_go_into_a_decision(back):
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    with pytest.raises(Exception) as exc:
        services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="false_information")
    assert exc.value.code == "invalid_reason" and "не підтверджено" in str(exc.value.message)


def test_a_decision_refuses_a_calculation_with_an_unconfirmed_figure(back):
    LegalFigure.objects.filter(key="birth_assistance.total").update(confirmed=False)
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    with pytest.raises(Exception) as exc:
        services.decide(actor=back, application_id=app.pk, outcome="granted",
                        calculator_inputs={"birth_date": app.application_date.isoformat()})
    assert exc.value.code == "legal_figure_missing" and exc.value.status == 422


def test_calculator_api_contract(api, back, front):
    body = {"birth_date": "2026-01-10", "children": 2, "on_date": "2026-02-02"}
    r = api(back).post("calculators/birth_assistance", body)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["currency"] == "UAH" and str(data["total"]) in ("100000.00", "100000")
    assert data["unconfirmed"] == []
    assert data["lines"] and all(set(line) == {"label", "value", "source"} and line["source"] for line in data["lines"])
    r = api(back).post("calculators/low_income_family", {"able_bodied": 1, "income": "0", "on_date": "2025-04-01"})
    assert r.status_code == 200 and "Гарантований мінімум: працездатні особи" in r.json()["unconfirmed"]
    # 2026: the guaranteed minimum is in the data but unconfirmed (a preview, listed); 2027: no figure at all → 422.
    r = api(back).post("calculators/low_income_family", {"able_bodied": 1, "income": "0", "on_date": "2026-04-01"})
    assert r.status_code == 200 and "Гарантований мінімум: працездатні особи" in r.json()["unconfirmed"]
    r = api(back).post("calculators/low_income_family", {"able_bodied": 1, "income": "0", "on_date": "2027-04-01"})
    assert r.status_code == 422 and r.json()["code"] == "legal_figure_missing"
    assert r.json()["message"].startswith("Розмір не встановлено для")
    assert api(back).post("calculators/nope", {}).json()["code"] == "unknown_calculator"
    assert api(front).post("calculators/birth_assistance", body).status_code == 403
    assert api(None).post("calculators/birth_assistance", body).status_code == 401


@pytest.mark.parametrize("amount, words", [
    ("0.01", "нуль гривень 01 копійка"), ("1", "одна гривня 00 копійок"), ("2.02", "дві гривні 02 копійки"),
    ("11.11", "одинадцять гривень 11 копійок"), ("21", "двадцять одна гривня 00 копійок"),
    ("1001", "одна тисяча одна гривня 00 копійок"), ("2000000", "два мільйони гривень 00 копійок"),
    ("13084.80", "тринадцять тисяч вісімдесят чотири гривні 80 копійок"),
])
def test_amount_in_words(amount, words):
    from decimal import Decimal
    assert amount_in_words(Decimal(amount)) == words




def test_a_grant_entered_by_hand_still_cites_the_articles(api, back):
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    services.decide(actor=back, application_id=app.pk, outcome="granted", amount="10320.00",
                    period_from=app.application_date, period_to=app.application_date, comment="Одноразова частина")
    text = pdf_text(api(back), app)
    assert "десять тисяч триста двадцять гривень 00 копійок" in text and "ст. 10–12" in text
