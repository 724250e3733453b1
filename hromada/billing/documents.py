"""Billing documents: the per-hromada act (PDF) and the national register (XLSX, CSV)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from reportlab.lib.units import mm

from hromada.core.exports import Column, csv_text, xlsx_bytes
from hromada.core.pdf import build_pdf, fmt_date, fmt_money, grid_table, kv_table, official_document, para

from .periods import money
from .rules import month_bounds
from .selectors import Act
from .words import amount_in_words

MONTHS_UK = ["січень", "лютий", "березень", "квітень", "травень", "червень", "липень", "серпень", "вересень",
             "жовтень", "листопад", "грудень"]
ACT_TITLE = "Акт наданих послуг з прийняття документів"
REGISTER_COLUMNS = [
    Column("katottg_code", "Код КАТОТТГ"), Column("oblast", "Область"), Column("raion", "Район"),
    Column("hromada", "Громада"), Column("count", "Кількість заяв", "int"), Column("amount", "Сума, грн", "money"),
    Column("adjustments", "Коригування, грн", "money"), Column("total", "Усього, грн", "money"),
]


def period_label(year: int, month: int) -> str:
    return f"{MONTHS_UK[month - 1]} {year} р."


@official_document
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


def _register_rows(rows: list[dict]) -> tuple[list[list], list[int]]:
    """One row per hromada, a subtotal row after each oblast, the grand total; the indices of the total rows."""
    out: list[list] = []
    totals: list[int] = []
    by_oblast: dict[str, list[dict]] = {}
    for r in rows:
        by_oblast.setdefault(r["oblast"], []).append(r)
    for oblast, group in by_oblast.items():
        for r in group:
            out.append([r["hromada_code"], r["oblast"], r["raion"], r["hromada_name"], r["count"], r["amount"],
                        r["adjustments"], r["total"]])
        count, amount, adjustments = _subtotal(group)
        totals.append(len(out))
        out.append(["", f"Разом по області: {oblast}", "", "", count, amount, adjustments, money(amount + adjustments)])
    count, amount, adjustments = _subtotal(rows)
    totals.append(len(out))
    out.append(["", "Усього по Україні", "", "", count, amount, adjustments, money(amount + adjustments)])
    return out, totals


def register_xlsx(key: str, rows: list[dict]) -> bytes:
    """The national register: one row per hromada, a subtotal row after each oblast, the grand total."""
    table, totals = _register_rows(rows)
    return xlsx_bytes(REGISTER_COLUMNS, table, sheet=f"Реєстр {key}", bold_rows=totals,
                      title=f"Реєстр оплати громадам за прийняття документів, період {key}")


def register_csv(rows: list[dict], *, machine: bool = False) -> str:
    """One row per hromada. For people: Excel-ready (BOM, ``;``, decimal comma, Ukrainian headers, oblast subtotals
    and the total); ``machine``: plain rows only, code headers, ``,`` and dot decimals."""
    if machine:
        return csv_text(REGISTER_COLUMNS, ([r["hromada_code"], r["oblast"], r["raion"], r["hromada_name"], r["count"],
                                            r["amount"], r["adjustments"], r["total"]] for r in rows), machine=True)
    return csv_text(REGISTER_COLUMNS, _register_rows(rows)[0])


ITEM_STATE_LABELS = {"paid": "оплачується", "excluded": "виключено", "duplicate": "повторна",
                     "adjustment": "коригування"}
ITEM_COLUMNS = [
    Column("application_number", "Номер заяви"), Column("service_code", "Послуга"), Column("event_date", "Дата",
                                                                                           "date"),
    Column("tariff", "Тариф, грн", "money"), Column("amount", "Сума, грн", "money"), Column("state", "Стан"),
    Column("reason", "Підстава"), Column("duplicate_of", "Повторна до заяви"),
    Column("adjusts_period", "Коригує місяць"),
]


def items_table(rows: list[dict], *, machine: bool = False) -> list[list]:
    return [[r["application_number"], r["service_code"] if machine else r["service"], r["event_date"], r["tariff"],
             r["amount"], r["state"] if machine else ITEM_STATE_LABELS[r["state"]],
             r["reason"] if machine else r["reason_text"], r["duplicate_of"] or "", r["adjusts_period"] or ""]
            for r in rows]


def items_csv(table: list[list], *, machine: bool = False) -> str:
    return csv_text(ITEM_COLUMNS, table, machine=machine)


def items_xlsx(key: str, code: str, table: list[list]) -> bytes:
    return xlsx_bytes(ITEM_COLUMNS, table, sheet=f"Заяви {key}", title=f"Заяви громади {code} за період {key}")
