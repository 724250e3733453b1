"""Operations endpoints: /readyz, /metrics, and the sysadmins' page of failed tasks."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hromada.accounts.access import may, permission_required
from hromada.audit.services import client_ip
from hromada.core.errors import HromadaError

from . import health, metrics, selectors, services


@never_cache
@require_GET
def readyz(request):
    """Up or down for everyone (load balancers need no more); which check failed and why only for the
    monitoring network (HROMADA_METRICS_ALLOW) and signed-in users who may see the operations page."""
    report = health.readiness()
    status = 200 if report["status"] == "ready" else 503
    if not (metrics.scrape_allowed(client_ip(request)) or may(request.user, "ops.view")):
        report = {"status": report["status"]}
    return JsonResponse(report, status=status)


@never_cache
@require_GET
def metrics_view(request):
    # Outside the monitoring network the endpoint does not exist (404, not 403: nothing to probe).
    # Behind our proxy (HROMADA_BEHIND_PROXY) REMOTE_ADDR is the proxy itself: the client is the address
    # the proxy appended to X-Forwarded-For (audit.client_ip); without a proxy the header is ignored.
    if not metrics.scrape_allowed(client_ip(request)):
        raise Http404()
    return HttpResponse(metrics.render_latest(), content_type=metrics.CONTENT_TYPE)


CHECK_LABELS = {
    "database": gettext_lazy("База даних"),
    "migrations": gettext_lazy("Міграції схеми"),
    "broker": gettext_lazy("Брокер черги задач"),
    "storage": gettext_lazy("Сховище файлів"),
}


@permission_required("ops.view")
@require_GET
def status_page(request):
    show_all = request.GET.get("all") == "1"
    readiness = health.readiness()
    return render(request, "ops/status.html", {
        "readiness": readiness,
        "checks": [(name, CHECK_LABELS.get(name, name), check) for name, check in readiness["checks"].items()],
        "failed": selectors.failed_tasks(include_resolved=show_all).select_related("resolved_by")[:200],
        "show_all": show_all,
    })


@permission_required("ops.view")
@require_POST
def resolve_failed(request, pk: int):
    try:
        services.resolve_failed_task(failed_task_id=pk, actor=request.user)
    except HromadaError as exc:
        if exc.status in (403, 404):
            raise   # the access layer's answer
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Задачу позначено як розглянуту."))
    return redirect("ops:status")
