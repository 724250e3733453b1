"""The one way a table leaves the platform as a file (CSV or XLSX), for people and for machines.

* **For people** (the default): CSV in UTF-8 with a byte-order mark, ``;`` between fields, decimal comma, dates
  as ДД.ММ.РРРР and Ukrainian headers — what Excel with Ukrainian regional settings opens in columns without
  mojibake; XLSX with typed cells (numbers as numbers, dates as dates), a frozen header row and column widths that
  fit the content.
* **For machines** (``?format=machine`` or ``?lang=en``): plain UTF-8 CSV without BOM, ``,``, dot decimals, ISO
  dates and the columns' codes as headers.

Every export names its columns once (``Column``: code, Ukrainian label, kind); callers audit the export themselves
(``audit.services.audited_read``) — this module only shapes bytes.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    code: str                 # machine header (stable, English)
    label: str                # the header people read (Ukrainian source string, translated by the caller)
    kind: str = "text"        # text | int | money | decimal | date | datetime


def machine_wanted(request) -> bool:
    """``?format=machine`` or ``?lang=en``: the machine variant (code headers, ``,``, dot decimals)."""
    return request.GET.get("format") == "machine" or request.GET.get("lang") == "en"


def _human(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("так") if value else gettext("ні")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if timezone.is_aware(value) else \
            value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | float):
        text = f"{value:.2f}" if kind == "money" else format(value, "f") if isinstance(value, Decimal) else str(value)
        return text.replace(".", ",")
    return str(value)


def _machine(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal) and kind == "money":
        return f"{value:.2f}"
    return str(value)


class _Echo:
    def write(self, value):
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence], *, machine: bool = False) -> Iterator[str]:
    """The file line by line (a streaming response joins them; ``csv_text`` for a whole file)."""
    writer = csv.writer(_Echo(), delimiter="," if machine else ";", lineterminator="\r\n")
    shape = _machine if machine else _human
    yield ("" if machine else BOM) + writer.writerow([c.code if machine else str(c.label) for c in columns])
    for row in rows:
        yield writer.writerow([shape(v, c.kind) for v, c in zip(row, columns, strict=False)])


def csv_text(columns: Sequence[Column], rows: Iterable[Sequence], *, machine: bool = False) -> str:
    return "".join(csv_lines(columns, rows, machine=machine))


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if isinstance(value, datetime):
        # Excel has no time zones: the Kyiv wall-clock time, as the screens show it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if kind in ("int", "money", "decimal") and isinstance(value, str) and value:
        try:
            return Decimal(value.replace(",", "."))
        except ArithmeticError:
            return value
    return value


_FORMATS = {"money": "#,##0.00", "decimal": "0.0#", "int": "0", "date": "DD.MM.YYYY", "datetime": "DD.MM.YYYY HH:MM"}


def xlsx_bytes(columns: Sequence[Column], rows: Iterable[Sequence], *, sheet: str = "Аркуш1", title: str = "",
               bold_rows: Iterable[int] = ()) -> bytes:
    """A workbook of one sheet: optional title line, the header row (frozen), typed cells, fitting widths.
    ``bold_rows``: indices (0-based, of ``rows``) of subtotal rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    bold = Font(bold=True)
    if title:
        ws.append([title])
        ws["A1"].font = bold
    ws.append([str(c.label) for c in columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
    widths = [len(str(c.label)) for c in columns]
    bold_set = set(bold_rows)
    for index, row in enumerate(rows):
        values = [_xlsx_value(v, c.kind) for v, c in zip(row, columns, strict=False)]
        ws.append(values)
        for col, (value, column) in enumerate(zip(values, columns, strict=False)):
            cell = ws.cell(row=ws.max_row, column=col + 1)
            if column.kind in _FORMATS and value is not None:
                cell.number_format = _FORMATS[column.kind]
            if index in bold_set:
                cell.font = bold
            shown = _human(value, column.kind) if value is not None else ""
            widths[col] = max(widths[col], len(shown))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_response(body: bytes | str, *, fmt: str, filename: str) -> HttpResponse:
    """``fmt``: csv | xlsx; ``filename`` without extension."""
    response = HttpResponse(body.encode() if isinstance(body, str) else body,
                            content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def csv_streaming_response(columns: Sequence[Column], rows: Iterable[Sequence], *, filename: str,
                           machine: bool = False) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows, machine=machine), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
