"""Auditor's read-only view of the audit log, with filters and a CSV export (the export is audited)."""
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from hromada.accounts.access import may, permission_required
from hromada.accounts.models import Role
from hromada.core.error_codes import ErrorCode
from hromada.core.errors import ValidationFailed
from hromada.core.exports import Column, csv_streaming_response, machine_wanted

from . import services, tasks
from .forms import AuditFilterForm
from .labels import action_label
from .selectors import audit_entries, known_actions, present
from .verification import last_verification

PAGE_SIZE = 50
CSV_COLUMNS = [
    Column("id", _("№"), "int"), Column("at", _("Час"), "datetime"), Column("actor_username", _("Користувач")),
    Column("actor_role", _("Роль")), Column("action", _("Дія")), Column("object_type", _("Тип об’єкта")),
    Column("object_id", _("Об’єкт")), Column("hromada_id", _("Громада (ід.)"), "int"), Column("ip", "IP"),
    Column("request_id", _("Запит")), Column("hash", _("Хеш")),
]


@permission_required("audit.view")
@require_GET
def entry_list(request):
    form = AuditFilterForm(request.GET or None)
    qs = audit_entries(request.user, form.filters())
    try:
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    except ValidationFailed as refused:
        if refused.code != ErrorCode.AUDIT_FILTER_TOO_BROAD:
            raise
        # Shown beside the filters it asks to narrow, the rest of the page as it is.
        form.add_error(None, refused.message)
        page = Paginator([], PAGE_SIZE).get_page(1)
    # Reading the log is itself a read of who did what to whom: audited, one entry per page.
    services.audited_read(actor=request.user, action="audit.view", objects=page.object_list, request=request,
                          object_type="audit.auditentry", details={"page": page.number})
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "audit/list.html", {
        "form": form, "page": page, "rows": present(request.user, page.object_list), "query": urlencode(query),
        # The blocks' actions only where the log has blocks (the reading knows): no statement for them otherwise.
        "actions": [(code, action_label(code)) for code in known_actions(packed=bool(qs.through))],
        "verification": last_verification(), "may_see_values": may(request.user, "audit.personal_values"),
    })


@permission_required("audit.view")
@require_POST
def verify(request):
    """Queue a walk of the chain (the page shows its result when done; eager in the embedded setup)."""
    tasks.verify_chain.delay()
    messages.info(request, _("Перевірку ланцюжка запущено; результат з’явиться на цій сторінці."))
    return redirect("audit:list")


@permission_required("audit.view")
@require_GET
def export_csv(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    qs = audit_entries(request.user, filters)
    machine = machine_wanted(request)
    services.audited_read(actor=request.user, action="audit.export", object_type="audit.auditentry", object_id="",
                          request=request, limit=False,
                          details={"filters": {k: str(v) for k, v in filters.__dict__.items() if v},
                                   "rows": qs.count(), "format": "csv-machine" if machine else "csv"})
    roles = dict(Role.choices)

    def rows():
        for entry in qs.iterator(chunk_size=2000):
            yield [entry.id, entry.at, entry.actor_username, entry.actor_role if machine else
                   roles.get(entry.actor_role, entry.actor_role), entry.action if machine else action_label(entry.action),
                   entry.object_type, entry.object_id, entry.hromada_id, entry.ip or "", entry.request_id,
                   entry.hash_hex]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_streaming_response(CSV_COLUMNS, rows(), filename=f"audit-{stamp}", machine=machine)
