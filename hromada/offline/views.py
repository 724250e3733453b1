from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hromada.accounts import access
from hromada.catalog.selectors import active_services
from hromada.persons.models import Relation
from hromada.territory.models import SETTLEMENT_CATEGORIES, Unit

SW_FILE = Path(__file__).resolve().parent / "static" / "offline" / "sw.js"


@access.permission_required("application.intake")
def intake_page(request):
    """The intake form that keeps working without the server (cached by the service worker)."""
    office = request.user.office
    services = [{"code": s.code, "name": s.name, "documents": [
        {"code": d.code, "title": d.title, "timing": d.timing, "condition": d.condition_text} for d in s.documents.all()]}
        for s in active_services()]
    settlements = list(Unit.objects.filter(hromada_id=office.hromada_id, category__in=SETTLEMENT_CATEGORIES,
                                           is_active=True).order_by("name_key").values("code", "name"))
    return render(request, "offline/intake.html", {"catalog": services, "settlements": settlements, "office": office,
                                                   "relations": Relation.choices,
                                                   "retention_hours": settings.HROMADA_OFFLINE_SENT_RETENTION_HOURS})


@never_cache
def service_worker(request):
    """Served from /front/offline/sw.js with scope /front/: any front-office page that cannot be loaded
    falls back to the cached offline intake page."""
    response = HttpResponse(SW_FILE.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/front/"
    return response
