"""Sum in words, act PDF text, the register in XLSX and CSV."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from hromada.billing import documents, selectors, services
from hromada.billing.words import amount_in_words, number_in_words

from .factories import kyiv, make_application, service, tariff


@pytest.mark.parametrize("amount, words", [
    ("1200.50", "одна тисяча двісті гривень 50 копійок"),
    ("0", "нуль гривень 00 копійок"),
    ("1.01", "одна гривня 01 копійка"),
    ("2.02", "дві гривні 02 копійки"),
    ("5.05", "п’ять гривень 05 копійок"),
    ("11.11", "одинадцять гривень 11 копійок"),
    ("21.22", "двадцять одна гривня 22 копійки"),
    ("112.14", "сто дванадцять гривень 14 копійок"),
    ("2000", "дві тисячі гривень 00 копійок"),
    ("5000", "п’ять тисяч гривень 00 копійок"),
    ("11000", "одинадцять тисяч гривень 00 копійок"),
    ("21001", "двадцять одна тисяча одна гривня 00 копійок"),
    ("150000000", "сто п’ятдесят мільйонів гривень 00 копійок"),
    ("1002003004.99", "один мільярд два мільйони три тисячі чотири гривні 99 копійок"),
    ("-50.00", "мінус п’ятдесят гривень 00 копійок"),
    ("0.005", "нуль гривень 01 копійка"),
])
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_number_in_words_masculine_scale():
    assert number_in_words(1_000_001) == "один мільйон один"
    assert number_in_words(342) == "триста сорок два"


@pytest.fixture
def billed(front, front2, ministry):
    svc = service("low_income_family")
    tariff("100.25", kyiv(2025, 1, 1).date(), service_obj=svc)
    for day in (2, 3, 4):
        make_application(office=front.office, user=front, service_obj=svc, submitted_at=kyiv(2025, 1, day))
    make_application(office=front.office, user=front, submitted_at=kyiv(2025, 1, 5))
    make_application(office=front2.office, user=front2, submitted_at=kyiv(2025, 1, 6))
    services.run_billing_period(actor=ministry, period="2025-01")
    return "2025-01"


def test_act_pdf_text(billed, front, ministry):
    act = selectors.act(ministry, billed, front.office.hromada.code)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(documents.act_pdf(act))).pages)
    assert "Акт наданих послуг з прийняття документів" in text
    assert "січень 2025" in text and front.office.hromada.code in text
    assert "Баранівська" in text
    assert "100,25 грн" in text and "300,75 грн" in text       # tariff and line sum
    assert "350,75 грн" in text                                # 3 × 100.25 + 50.00
    assert "Триста п’ятдесят гривень 75 копійок" in text
    assert "Підписи сторін" in text


def test_register_xlsx_and_csv(billed, front, front2, ministry):
    rows = selectors.act_rows(ministry, billed)
    wb = load_workbook(io.BytesIO(documents.register_xlsx(billed, rows)))
    ws = wb.active
    values = [tuple(row) for row in ws.iter_rows(min_row=3, values_only=True)]
    by_code = {r[0]: r for r in values if r[0]}
    baranivska = by_code[front.office.hromada.code]
    assert baranivska[1:5] == ("Житомирська", "Звягельський", "Баранівська", 4)
    assert Decimal(str(baranivska[5])) == Decimal("350.75")
    assert by_code[front2.office.hromada.code][4] == 1
    subtotal = next(r for r in values if r[1] == "Разом по області: Житомирська")
    total = next(r for r in values if r[1] == "Усього по Україні")
    assert subtotal[4] == total[4] == 5
    assert Decimal(str(total[5])) == Decimal("400.75")

    parsed = list(csv.DictReader(io.StringIO(documents.register_csv(rows, machine=True))))
    row = next(r for r in parsed if r["katottg_code"] == front.office.hromada.code)
    assert row == {"katottg_code": front.office.hromada.code, "oblast": "Житомирська", "raion": "Звягельський",
                   "hromada": "Баранівська", "count": "4", "amount": "350.75", "adjustments": "0.00",
                   "total": "350.75"}
    human = documents.register_csv(rows)
    assert human.startswith("\ufeffКод КАТОТТГ;Область;Район;Громада;Кількість заяв;Сума, грн;")
    assert f"{front.office.hromada.code};Житомирська;Звягельський;Баранівська;4;350,75;0,00;350,75" in human
