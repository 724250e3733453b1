"""Auditor's read-only view of the audit log, with filters and a CSV export (the export is audited)."""
import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from hromada.accounts.access import may

from . import services
from .forms import AuditFilterForm
from .selectors import audit_entries, known_actions

PAGE_SIZE = 50
CSV_COLUMNS = ["id", "at", "actor_username", "actor_role", "action", "object_type", "object_id", "hromada_id",
               "ip", "request_id", "prev_hash", "hash"]


def _allowed(request):
    # Outside the auditor roles the log does not exist for the user (404, not 403).
    if not may(request.user, "audit.view"):
        raise Http404


@login_required
@require_GET
def entry_list(request):
    _allowed(request)
    form = AuditFilterForm(request.GET or None)
    qs = audit_entries(request.user, form.filters()).select_related(None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "audit/list.html", {
        "form": form, "page": page, "query": urlencode(query), "actions": known_actions(),
    })


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def export_csv(request):
    _allowed(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    qs = audit_entries(request.user, filters)
    services.record(actor=request.user, action="audit.export", object_type="audit.auditentry", request=request,
                    details={"filters": {k: str(v) for k, v in filters.__dict__.items() if v}, "rows": qs.count()})
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # BOM: Excel opens UTF-8 Cyrillic correctly
        yield writer.writerow(CSV_COLUMNS)
        for entry in qs.iterator(chunk_size=2000):
            yield writer.writerow([entry.id, entry.at.isoformat(), entry.actor_username, entry.actor_role, entry.action,
                                   entry.object_type, entry.object_id, entry.hromada_id or "", entry.ip or "",
                                   entry.request_id, entry.prev_hash, entry.hash])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
