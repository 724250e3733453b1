"""Back-office pages: the queue, the case card with take/assign/return/decide, the head's board.

Views are thin: parse the form, call one service, redirect with a message (errors become messages).
"""
from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from hromada.accounts import access
from hromada.applications.models import Document
from hromada.applications.selectors import events_of
from hromada.applications.workflow import allowed_actions
from hromada.audit.services import audited_read
from hromada.catalog.selectors import titled_items
from hromada.core.errors import Forbidden, HromadaError, NotFound, ValidationFailed
from hromada.registers.selectors import calculator_prefill

from . import calculators, selectors, services
from .models import Decision, Outcome
from .reasons import get_reason, reasons_for


def _int(value) -> int | None:
    return int(value) if str(value or "").strip().isdigit() else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed(_("Некоректна дата."), code="invalid_date") from None


def _guard(view):
    """Turn a business error of a form action into a message and go back to the case card."""
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except (NotFound, Forbidden):
            raise   # the access layer's 404/403
        except HromadaError as exc:
            messages.error(request, str(exc.message))
            return redirect("back:case", pk=pk)
    return wrapper


def _queue_rows(page) -> list[dict]:
    """The page's cases (``selectors.QueueRow``) as plain rows of display values for the queue template: a dict key
    resolves at the template's first try."""
    case_url = reverse("back:case", args=[0]).removesuffix("0/")   # the pk is appended per row
    return [{"pk": r.pk, "url": f"{case_url}{r.pk}/", "number": r.number, "applicant": r.applicant,
             "service": r.service_name, "hromada": r.hromada_name, "office": r.front_office_name,
             "status": r.status_label, "assignee": r.assignee,
             "due_date": r.due_date.strftime("%d.%m.%Y") if r.due_date else "", "flag": r.deadline_flag}
            for r in page.object_list]


@access.permission_required("application.take")
def queue(request):
    g = request.GET
    filters = selectors.QueueFilters(
        service=g.get("service", ""), hromada=_int(g.get("hromada")), status=g.get("status", ""),
        assigned_to=g.get("assigned_to", ""), overdue=g.get("overdue") == "1", due_soon=g.get("due_soon") == "1",
        page=_int(g.get("page")) or 1, q=(g.get("q") or "").strip()[:100])
    page = selectors.queue(request.user, filters)
    audited_read(actor=request.user, action="application.queue", objects=page.object_list, request=request,
                 object_type="applications.application", details={"page": page.number})
    ctx = {"page": page, "rows": _queue_rows(page), "filters": filters, "query": g.urlencode()}
    if request.headers.get("HX-Request"):   # the table alone: the filter form stays on the page
        return render(request, "backoffice/_queue_table.html", ctx)
    return render(request, "backoffice/queue.html", {**ctx, "choices": selectors.queue_choices(request.user)})


@access.permission_required("application.take")
def case(request, pk: int):
    user = request.user
    app = selectors.case_for_review(user, pk)
    audited_read(actor=user, action="application.view", objects=[app], request=request)
    return render(request, "backoffice/case.html", _case_context(user, app))


def _case_context(user, app, *, posted: dict | None = None) -> dict:
    """The case page; ``posted`` (a refused form's input and its error) fills that form again and opens it."""
    uploaded = {}
    for doc in app.documents.all():
        uploaded.setdefault(doc.requirement_code, []).append(doc)
    checklist = [{"req": req, "docs": uploaded.get(req.code, [])} for req in app.service.documents.all()]
    # Checklist codes are shown as the documents' titles (prefetched with the service).
    titles = {(app.service_id, req.code): req.title for req in app.service.documents.all()}
    docs = list(app.documents.all())
    for doc in docs:
        doc.requirement_title = titles.get((app.service_id, doc.requirement_code), doc.requirement_code)
    returns = list(app.return_requests.select_related("returned_by"))
    for ret in returns:
        ret.item_titles = titled_items(titles, app.service_id, ret.items)
    decision = Decision.objects.filter(application=app).select_related("decided_by").first()
    calc = calculators.CALCULATORS.get(app.service.calculator)
    stored = decision.calculation if decision else {}
    # Figures the registers supply (the family's income from ДПС, or the back office's correction of it).
    prefill = calculator_prefill(user, app) if calc else {}
    ctx = {
        "app": app, "applicant": app.applicant_person, "participants": app.people, "checklist": checklist,
        "documents": docs,
        "events": events_of(app),
        "reason": get_reason(decision.reason_code, app.service.code) if decision and decision.reason_code else None,
        "returns": returns, "decision": decision,
        "actions": allowed_actions(app, user), "calculator": calc, "reasons": reasons_for(app.service.code),
        "staff": selectors.assignable_staff(user) if access.may(user, "application.assign") else [],
        "flag": selectors.deadline_flag(app), "first_doc": next(iter(docs), None),
        "posted": posted or {},
        "calc_lines": selectors.calculation_lines(stored),
        "recalculation": calculators.recompute(stored) if stored.get("figures") else None,
        "calc_fields": [(f, (posted or {}).get("calc", {}).get(f.name, prefill.get(f.name, f.default)))
                        for f in calc.fields] if calc else [],
        "calc_prefill": prefill,
    }
    return ctx


def _refused_form(request, pk: int, form: str, exc: HromadaError):
    """A decision or return the service refused: the case page again with what was typed, the error beside the
    form (422), instead of a redirect that would lose the input."""
    if exc.status in (403, 404):
        raise exc
    app = selectors.case_for_review(request.user, pk)
    post = request.POST
    posted = {"form": form, "error": str(exc.message), "amount": post.get("amount", ""),
              "period_from": post.get("period_from", ""), "period_to": post.get("period_to", ""),
              "comment": post.get("comment", ""), "reason_code": post.get("reason_code", ""),
              "reason": post.get("reason", ""), "items": post.getlist("items"),
              "extra_items": post.get("extra_items", ""), "calc": _calc_inputs(post)}
    return render(request, "backoffice/case.html", _case_context(request.user, app, posted=posted), status=422)


@access.permission_required("application.take")
@xframe_options_sameorigin
def document(request, pk: int, doc_id: int):
    """The scan for the viewer pane (same-origin frame only), audited as a file read.

    An image is shown through a small page that fits it to the pane (Chromium fits a bare image only in a top-level
    window, and its image page's inline styles break a strict CSP); ``?raw=1`` and PDFs are the file itself.
    """
    doc = access.get_visible(request.user, Document.objects.select_related("application"), pk=doc_id, application_id=pk)
    if doc.content_type.startswith("image/") and request.GET.get("raw") != "1":
        response = render(request, "backoffice/document_frame.html", {"doc": doc, "app_id": pk})
        response["Content-Security-Policy"] = ("default-src 'none'; img-src 'self'; style-src 'self'; "
                                               "frame-ancestors 'self'")
        return response
    audited_read(actor=request.user, action="document.view", objects=[doc.application], request=request,
                 details={"document": doc.pk}, limit=False)
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access.permission_required("application.take")
@require_POST
@_guard
def take(request, pk: int):
    services.take_application(actor=request.user, application_id=pk, expected_version=_int(request.POST.get("version")))
    messages.success(request, _("Заяву взято в роботу."))
    return redirect("back:case", pk=pk)


@access.permission_required("application.assign")
@require_POST
@_guard
def assign(request, pk: int):
    user_id = _int(request.POST.get("user_id"))
    if user_id is None:
        raise ValidationFailed(_("Оберіть виконавця."), code="invalid_assignee")
    services.assign_application(actor=request.user, application_id=pk, user_id=user_id,
                                expected_version=_int(request.POST.get("version")))
    messages.success(request, _("Виконавця призначено."))
    return redirect("back:case", pk=pk)


@access.permission_required("application.review")
@require_POST
@_guard
def return_case(request, pk: int):
    items = request.POST.getlist("items")
    extra = request.POST.get("extra_items", "")
    items += [line for line in extra.splitlines() if line.strip()]
    try:
        services.return_for_correction(actor=request.user, application_id=pk, reason=request.POST.get("reason", ""),
                                       items=items, expected_version=_int(request.POST.get("version")))
    except ValidationFailed as exc:
        return _refused_form(request, pk, "return", exc)
    messages.success(request, _("Заяву повернуто до фронт-офісу на доопрацювання."))
    return redirect("back:case", pk=pk)


def _calc_inputs(post) -> dict:
    return {key[5:]: value for key, value in post.items() if key.startswith("calc_")}


@access.permission_required("application.review")
@require_POST
@_guard
def decide(request, pk: int):
    post = request.POST
    outcome = post.get("outcome", "")
    inputs = _calc_inputs(post) if outcome == Outcome.GRANTED and post.get("use_calculator") == "1" else None
    try:
        services.decide(actor=request.user, application_id=pk, outcome=outcome, amount=post.get("amount") or None,
                        period_from=_date(post.get("period_from")), period_to=_date(post.get("period_to")),
                        reason_code=post.get("reason_code", ""), comment=post.get("comment", ""),
                        calculator_inputs=inputs, expected_version=_int(post.get("version")))
    except ValidationFailed as exc:
        return _refused_form(request, pk, "refuse" if outcome == Outcome.REFUSED else "grant", exc)
    messages.success(request, _("Рішення прийнято; результат надіслано до фронт-офісу."))
    return redirect("back:case", pk=pk)


@access.permission_required("application.review")
@require_POST
def calculate(request, pk: int):
    """htmx: the calculation for the inputs, with the amount and the period prefilled (nothing is saved)."""
    app = selectors.case_for_review(request.user, pk)
    ctx = {"app": app}
    try:
        ctx["result"] = calculators.calculate(app.service.calculator, _calc_inputs(request.POST), app.application_date)
    except HromadaError as exc:
        ctx["error"] = str(exc.message)
    return render(request, "backoffice/_calculation.html", ctx)


@access.permission_required("application.assign")
def board(request):
    """The head's board: workload per specialist and every overdue case."""
    return render(request, "backoffice/board.html", {
        "workload": selectors.workload(request.user), "overdue": selectors.overdue_cases(request.user)})
