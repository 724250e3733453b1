"""Export of any dashboard table to CSV or XLSX (every export is audited)."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from hromada.audit.services import record
from hromada.core.errors import ValidationFailed

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return "" if value is None else value


def export_table(request, *, name: str, fmt: str, headers: list[str], rows: list[list], details: dict) -> HttpResponse:
    """Answer the table as a file and write an audit entry (what, in which format, for which area/period)."""
    if fmt not in FORMATS:
        raise ValidationFailed("Формат експорту: csv або xlsx.", code="invalid_format")
    record(actor=request.user, action="monitoring.export", object_type="monitoring.table", object_id=name,
           request=request, details={"format": fmt, "rows": len(rows), **details})
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")  # Excel opens UTF-8 CSV with Cyrillic correctly only with a BOM
        writer = csv.writer(buf, delimiter=";")
        writer.writerow(headers)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        body = buf.getvalue().encode()
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = name[:31]
        ws.append(headers)
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in rows:
            ws.append([_cell(v) for v in row])
        out = io.BytesIO()
        wb.save(out)
        body = out.getvalue()
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
