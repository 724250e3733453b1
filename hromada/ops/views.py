"""Operations endpoints: /readyz, /metrics, and the sysadmins' page of failed tasks."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hromada.accounts.access import may
from hromada.core.errors import HromadaError

from . import health, metrics, selectors, services


@never_cache
@require_GET
def readyz(request):
    report = health.readiness()
    return JsonResponse(report, status=200 if report["status"] == "ready" else 503)


@never_cache
@require_GET
def metrics_view(request):
    # Outside the monitoring network the endpoint does not exist (404, not 403: nothing to probe).
    if not metrics.scrape_allowed(request.META.get("REMOTE_ADDR")):
        raise Http404()
    return HttpResponse(metrics.render_latest(), content_type=metrics.CONTENT_TYPE)


CHECK_LABELS = {
    "database": _lazy("База даних"),
    "migrations": _lazy("Міграції схеми"),
    "broker": _lazy("Брокер черги задач"),
    "storage": _lazy("Сховище файлів"),
}


def _require_ops(user):
    if not may(user, "ops.view"):
        raise PermissionDenied()


@login_required
@require_GET
def status_page(request):
    _require_ops(request.user)
    show_all = request.GET.get("all") == "1"
    readiness = health.readiness()
    return render(request, "ops/status.html", {
        "readiness": readiness,
        "checks": [(name, CHECK_LABELS.get(name, name), check) for name, check in readiness["checks"].items()],
        "failed": selectors.failed_tasks(include_resolved=show_all).select_related("resolved_by")[:200],
        "show_all": show_all,
    })


@login_required
@require_POST
def resolve_failed(request, pk: int):
    _require_ops(request.user)
    try:
        services.resolve_failed_task(failed_task_id=pk, actor=request.user)
    except HromadaError as exc:
        if exc.status == 404:
            raise Http404() from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Задачу позначено як розглянуту."))
    return redirect("ops:status")
