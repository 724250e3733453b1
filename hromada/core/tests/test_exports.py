"""Exports for their users (#23 p.3): every file goes through core.exports, and its shape is checked by opening it."""
import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from hromada.core.exports import Column, csv_text, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = [Column("code", "Код"), Column("name", "Назва громади"), Column("count", "Кількість", "int"),
           Column("amount", "Сума, грн", "money"), Column("day", "Дата", "date")]
ROWS = [["UA1", "Баранівська", 3, Decimal("1234.50"), date(2026, 3, 31)],
        ["UA2", "Дуже довга назва громади для перевірки ширини", 0, Decimal("0"), None]]


def test_csv_for_people_opens_in_ukrainian_excel():
    text = csv_text(COLUMNS, ROWS)
    assert text.startswith("\ufeff")                      # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Код", "Назва громади", "Кількість", "Сума, грн", "Дата"]
    assert rows[1] == ["UA1", "Баранівська", "3", "1234,50", "31.03.2026"]   # decimal comma, Ukrainian date
    assert rows[2][3] == "0,00" and rows[2][4] == ""


def test_csv_for_machines_keeps_codes_commas_and_dots():
    text = csv_text(COLUMNS, ROWS, machine=True)
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["code", "name", "count", "amount", "day"]
    assert rows[1] == ["UA1", "Баранівська", "3", "1234.50", "2026-03-31"]


def test_xlsx_typed_cells_frozen_header_fitting_widths():
    ws = load_workbook(io.BytesIO(xlsx_bytes(COLUMNS, ROWS, sheet="Реєстр"))).active
    assert [c.value for c in ws[1]] == ["Код", "Назва громади", "Кількість", "Сума, грн", "Дата"]
    assert ws.freeze_panes == "A2"
    assert ws["C2"].value == 3 and isinstance(ws["D2"].value, int | float) and ws["D2"].value == 1234.5
    assert ws["D2"].number_format == "#,##0.00"
    assert isinstance(ws["E2"].value, datetime) and ws["E2"].value.date() == date(2026, 3, 31)
    assert ws["E2"].number_format == "DD.MM.YYYY"
    assert ws.column_dimensions["B"].width >= len(ROWS[1][1])   # the long name fits
    assert ws.column_dimensions["A"].width < 10                 # a short column stays narrow


def test_xlsx_with_a_title_freezes_below_its_header():
    ws = load_workbook(io.BytesIO(xlsx_bytes(COLUMNS, ROWS, title="Реєстр оплати"))).active
    assert ws["A1"].value == "Реєстр оплати" and ws["A2"].value == "Код" and ws.freeze_panes == "A3"


def test_every_export_goes_through_core_exports():
    """No CSV writer, spreadsheet or text/csv response of its own anywhere else: one shape for every file."""
    pattern = re.compile(r"text/csv|csv\.writer|import openpyxl|from openpyxl|spreadsheetml")
    offenders = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
                 if "tests" not in path.parts and path.name != "exports.py" and pattern.search(path.read_text())]
    assert offenders == []
