"""PDF building blocks for Ukrainian documents (receipts, decisions, acts).

The font is DejaVu Sans shipped in the repository (``core/fonts``, with its license and source), so PDFs render
the same on every machine, with or without OS fonts.
"""
from __future__ import annotations

import functools
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import ParamSpec, TypeVar

import qrcode
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

P = ParamSpec("P")
R = TypeVar("R")

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


@lru_cache(maxsize=1)
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                                alignment=TA_CENTER, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", parent=base, alignment=TA_CENTER, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8,
                             spaceAfter=4),
    }


def para(text, style: str = "base") -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text)).replace("\n", "<br/>"), styles()[style])


class QrCode(Flowable):
    """A QR code of ``size`` × ``size`` (error correction M, the standard quiet zone of four modules), drawn as one
    path of rectangles, one per dark run of a row. Encoded by the ``qrcode`` package, which chooses the mask with
    fewer instructions than reportlab's own encoder: a receipt took 200 M instructions with that one, 163 M with
    this (bench/results/2026-12-06-receipt-instructions.txt)."""

    def __init__(self, data: str, size: float):
        super().__init__()
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        code.add_data(data)
        code.make(fit=True)
        self.matrix: list[list[bool]] = code.get_matrix()
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        modules = len(self.matrix)
        unit = self.width / modules
        path = self.canv.beginPath()
        for r, row in enumerate(self.matrix):
            y, x = self.height - (r + 1) * unit, 0
            while x < modules:
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < modules and row[x]:
                    x += 1
                path.rect(start * unit, y, (x - start) * unit, unit)
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


def qr_code(data: str, size: float = 32 * mm) -> Flowable:
    """A QR code of the text, ``size`` × ``size`` with its quiet zone."""
    return QrCode(data, size)


def kv_table(rows: list[tuple[str, str]], widths=(55 * mm, 115 * mm)) -> Table:
    data = [[para(k, "small"), para(v)] for k, v in rows]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc"))]))
    return table


def grid_table(header: list[str], rows: list[list], widths=None) -> Table:
    data = [[para(h, "small") for h in header]] + [[para(c) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def official_document(build: Callable[P, R]) -> Callable[P, R]:
    """Build an official document (receipt, decision, act, report) in the state language, whatever the language of
    the screen it is printed from: a receipt printed from the English interface is still Ukrainian."""

    @functools.wraps(build)
    def in_ukrainian(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override("uk"):
            return build(*args, **kwargs)

    return in_ukrainian


def build_pdf(story: list, *, title: str, author: str = "Громада", footer_note: str = "") -> bytes:
    """Render an A4 PDF with page numbers; returns bytes. ``footer_note`` (e.g. when it was generated) goes into
    every page's footer: as the story's last line it could spill alone onto a second page."""
    register_fonts()
    buf = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(20 * mm, 10 * mm, f"{title} · сторінка {doc.page}")
        if footer_note:
            canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, footer_note)
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=title, author=author)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def fmt_money(value: Decimal) -> str:
    """12 345,67 грн (thin grouping, comma decimal separator as in Ukrainian documents)."""
    q = Decimal(value).quantize(Decimal("0.01"))
    whole, frac = f"{q:.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{frac} грн"
