"""Export of any dashboard table to CSV or XLSX (every export is audited); the file shapes are core.exports'."""
from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.translation import gettext

from hromada.audit.services import audited_read
from hromada.core.errors import ValidationFailed
from hromada.core.exports import Column, csv_text, file_response, machine_wanted, xlsx_bytes

FORMATS = ("csv", "xlsx")


def export_table(request, *, name: str, fmt: str, headers: Sequence[Column], rows: list[list],
                 details: dict) -> HttpResponse:
    """Answer the table as a file and write an audit entry (what, in which format, for which area/period).
    CSV is Excel-ready unless ``?format=machine`` / ``?lang=en`` asks for code headers and dot decimals."""
    if fmt not in FORMATS:
        raise ValidationFailed(gettext("Формат експорту: csv або xlsx."), code="invalid_format")
    machine = fmt == "csv" and machine_wanted(request)
    audited_read(actor=request.user, action="monitoring.export", object_type="monitoring.table", object_id=name,
                 request=request, details={"format": "csv-machine" if machine else fmt, "rows": len(rows), **details},
                 limit=False)
    if fmt == "csv":
        return file_response(csv_text(headers, rows, machine=machine), fmt="csv", filename=name)
    return file_response(xlsx_bytes(headers, rows, sheet=name[:31]), fmt="xlsx", filename=name)
