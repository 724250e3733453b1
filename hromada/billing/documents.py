"""Billing documents: the per-hromada act (PDF) and the national register (XLSX, CSV)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.units import mm

from hromada.core.pdf import build_pdf, fmt_date, fmt_money, grid_table, kv_table, para

from .periods import money
from .rules import month_bounds
from .selectors import Act
from .words import amount_in_words

MONTHS_UK = ["січень", "лютий", "березень", "квітень", "травень", "червень", "липень", "серпень", "вересень",
             "жовтень", "листопад", "грудень"]
ACT_TITLE = "Акт наданих послуг з прийняття документів"
REGISTER_COLUMNS = ["Код КАТОТТГ", "Область", "Район", "Громада", "Кількість заяв", "Сума, грн", "Коригування, грн"]


def period_label(year: int, month: int) -> str:
    return f"{MONTHS_UK[month - 1]} {year} р."


def _num(value: Decimal) -> str:
    return f"{money(value):.2f}"


def act_pdf(act: Act) -> bytes:
    period, hromada = act.period, act.hromada
    start, end = month_bounds(period.year, period.month)
    story = [
        para(ACT_TITLE, "title"),
        para(f"за {period_label(period.year, period.month)} (період {period.key})", "subtitle"),
        kv_table([
            ("Замовник", "Міністерство соціальної політики України"),
            ("Виконавець", f"{hromada.name} територіальна громада"),
            ("Код КАТОТТГ", hromada.code),
            ("Область, район", ", ".join(n for n in (hromada.oblast.name if hromada.oblast else "",
                                                      hromada.raion.name if hromada.raion else "") if n)),
            ("Період", f"{fmt_date(start.date())} — {fmt_date(end.date() - timedelta(days=1))}"),
            ("Стан періоду", "закритий" if period.is_closed else "відкритий (попередній розрахунок)"),
        ]),
        para("Прийнято та надіслано до бек-офісу заяв (подія оплати — перше надсилання заяви):", "h2"),
    ]
    rows = [[line["service"], fmt_money(line["unit_amount"]), str(line["count"]), fmt_money(line["amount"])]
            for line in act.lines]
    rows.append(["Разом", "", str(act.count), fmt_money(act.amount)])
    story.append(grid_table(["Послуга", "Тариф за заяву", "Кількість", "Сума"], rows,
                            widths=(80 * mm, 32 * mm, 24 * mm, 34 * mm)))
    if act.adjustments:
        story.append(para("Коригування попередніх (закритих) періодів:", "h2"))
        adj = [[a["original_period"], a["application"], a["service"], f"{a['count']:+d}", fmt_money(a["amount"])]
               for a in act.adjustments]
        adj.append(["Разом", "", "", "", fmt_money(act.adjustments_total)])
        story.append(grid_table(["Період", "Заява", "Послуга", "Кількість", "Сума"], adj,
                                widths=(22 * mm, 32 * mm, 70 * mm, 20 * mm, 26 * mm)))
    story += [
        para("Підсумок", "h2"),
        kv_table([
            ("Кількість заяв", str(act.count)),
            ("Сума за заяви періоду", fmt_money(act.amount)),
            ("Коригування", fmt_money(act.adjustments_total)),
            ("Усього до оплати", fmt_money(act.total)),
            ("Сума прописом", amount_in_words(act.total).capitalize()),
        ]),
        para(" "),
        para("Підписи сторін", "h2"),
        kv_table([
            ("Від Міністерства", "______________ / ________________ /  «___» ________ 20__ р."),
            ("Від громади", "______________ / ________________ /  «___» ________ 20__ р."),
        ]),
        para("М. П.", "small"),
    ]
    return build_pdf(story, title=f"{ACT_TITLE} — {hromada.name}, {period.key}")


def _subtotal(rows: list[dict]) -> tuple[int, Decimal, Decimal]:
    return (sum(r["count"] for r in rows), money(sum((r["amount"] for r in rows), Decimal("0"))),
            money(sum((r["adjustments"] for r in rows), Decimal("0"))))


def register_xlsx(key: str, rows: list[dict]) -> bytes:
    """The national register: one row per hromada, a subtotal row after each oblast, the grand total."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"Реєстр {key}"
    bold = Font(bold=True)
    ws.append([f"Реєстр оплати громадам за прийняття документів, період {key}"])
    ws["A1"].font = bold
    ws.append(REGISTER_COLUMNS + ["Усього, грн"])
    for cell in ws[2]:
        cell.font = bold
    by_oblast: dict[str, list[dict]] = {}
    for r in rows:
        by_oblast.setdefault(r["oblast"], []).append(r)
    for oblast, group in by_oblast.items():
        for r in group:
            ws.append([r["hromada_code"], r["oblast"], r["raion"], r["hromada_name"], r["count"], r["amount"],
                       r["adjustments"], r["total"]])
        count, amount, adjustments = _subtotal(group)
        ws.append(["", f"Разом по області: {oblast}", "", "", count, amount, adjustments, money(amount + adjustments)])
        for cell in ws[ws.max_row]:
            cell.font = bold
    count, amount, adjustments = _subtotal(rows)
    ws.append(["", "Усього по Україні", "", "", count, amount, adjustments, money(amount + adjustments)])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in ws.iter_rows(min_row=3, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "#,##0.00"
    for column, width in zip("ABCDEFGH", (22, 22, 22, 28, 14, 16, 16, 16), strict=True):
        ws.column_dimensions[column].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def register_csv(rows: list[dict]) -> str:
    """One row per hromada; amounts as plain decimals with a dot (machine-readable), UTF-8."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["katottg_code", "oblast", "raion", "hromada", "count", "amount", "adjustments"])
    for r in rows:
        writer.writerow([r["hromada_code"], r["oblast"], r["raion"], r["hromada_name"], r["count"], _num(r["amount"]),
                         _num(r["adjustments"])])
    return buf.getvalue()
