"""Front-office screens: the new-application wizard, the hromada's lists, the case card and its actions.

Views only parse input, call one service or selector and render; every error of a service is a
HromadaError shown as a message (or an htmx fragment).
"""
from __future__ import annotations

import secrets
from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hromada.accounts import access
from hromada.audit import services as audit
from hromada.catalog import selectors as catalog
from hromada.catalog import slots as catalog_slots
from hromada.catalog.models import ServiceCategory
from hromada.core.errors import Forbidden, HromadaError, NotFound, ValidationFailed
from hromada.core.text import normalize_name
from hromada.offices.selectors import deciding_office_for
from hromada.persons.models import Person

from . import deadlines, selectors, workflow
from .models import Channel, IssueMethod, ParticipantRole, Status
from .services import documents as document_services
from .services import front as front_services
from .services import intake
from .services.receipts import receipt_for
from .slots import decision_for, decision_pdf, registers_panel

INTAKE = "application.intake"
# Fields of the details form kept in draft_data by the autosave.
DRAFT_FIELDS = ("channel", "paper_received_on", "note", "contact_phone", "contact_email")
# What each worklist link of the home page lists (selectors.WORKLIST_FILTERS).
WORKLIST_TITLES = {
    "documents_due_soon": _("Відсутні документи: строк донесення спливає протягом 7 днів"),
    "documents_overdue": _("Відсутні документи: строк донесення минув"),
    "late_handover": _("Паперові заяви, не передані до бек-офісу протягом 3 робочих днів"),
}


def _messages_on_error(view):
    """A business error of a page (not 404/403 — the access layer answers those) becomes a message and the list."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (NotFound, Forbidden):
            raise
        except HromadaError as exc:
            messages.error(request, exc.message)
            return redirect("front:list")
    return wrapper


def _back(request, fallback: str):
    target = request.POST.get("back") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _fail(request, exc: HromadaError, fallback: str):
    if isinstance(exc, (NotFound, Forbidden)):
        raise exc  # the decorator answers 404/403
    messages.error(request, exc.message)
    return _back(request, fallback)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Дату введено неправильно (очікується дд.мм.рррр)."), code="invalid_date") from None


def _version(request) -> int | None:
    return _int(request.POST.get("version"))


def _contacts(request) -> dict:
    """The contact fields of the details form that were posted (absent: unchanged)."""
    return {k: request.POST[k] for k in intake.CONTACT_FIELDS if k in request.POST}


def _draft_values(request) -> dict:
    values = {k: request.POST.get(k, "")[:2000] for k in DRAFT_FIELDS if k in request.POST}
    if request.POST.get("social_intake"):
        # An application for social services: which services and how urgent (opened as a social case on submission).
        values["social_services"] = [c[:40] for c in request.POST.getlist("social_services")[:50]]
        values["urgency"] = request.POST.get("urgency", "")[:20]
    return values


def _social_intake(app) -> dict | None:
    """For an application for social services: the choices of the form and what is marked (draft)."""
    if app.service.category != ServiceCategory.SOCIAL_SERVICES or not catalog_slots.social_intake_choices.provided:
        return None
    draft = app.draft_data or {}
    choices = catalog_slots.social_intake_choices()
    chosen = [c for c in draft.get("social_services") or [] if c in choices["services"]]
    return {**choices, "chosen": chosen, "chosen_names": [choices["services"][c] for c in chosen],
            "urgency": draft.get("urgency") or intake.SOCIAL_DEFAULT_URGENCY,
            "case": catalog_slots.social_public_status(app.pk) if app.status != Status.DRAFT else None}


def person_picker_url(next_url: str) -> str:
    return f"{reverse('persons:search')}?{urlencode({'next': next_url})}"


# --- lists --------------------------------------------------------------------------------------


@access.permission_required("application.view")
@_messages_on_error
@require_GET
def application_list(request):
    """The hromada's applications with status/service filters and paging."""
    status, service = request.GET.get("status") or "", request.GET.get("service") or ""
    q = request.GET.get("q") or ""
    worklist = request.GET.get("w") or ""
    if worklist not in WORKLIST_TITLES:
        worklist = ""
    try:
        qs = selectors.applications_for(request.user, status=status, service_code=service, q=q)
        if worklist:
            qs = selectors.worklist_cases(request.user, worklist).filter(pk__in=qs.values("pk"))
        page = selectors.paginate(qs, request.GET.get("page"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.paginate(selectors.applications_for(request.user), 1)
    audit.audited_read(actor=request.user, action="application.list", objects=page.items, request=request,
                       object_type="applications.application", details={"page": page.page, "list": "all"})
    query = urlencode({k: v for k, v in (("status", status), ("service", service), ("q", q), ("w", worklist))
                       if v})
    ctx = {"page": page, "statuses": Status.choices, "services": catalog.active_services(),
           "filters": {"status": status, "service": service, "q": q, "w": worklist}, "query": query,
           "worklist_title": WORKLIST_TITLES.get(worklist, ""), "show_contacts": bool(worklist),
           "may_intake": access.may(request.user, INTAKE)}
    template = "applications/_list_table.html" if request.htmx and not request.htmx.boosted else "applications/list.html"
    return render(request, template, ctx)


@access.permission_required("application.view")
@_messages_on_error
@require_GET
def returned_list(request):
    """Cases the back office returned for correction, with its reason and what to fix."""
    page = selectors.paginate(selectors.applications_for(request.user, status=Status.RETURNED),
                              request.GET.get("page"))
    rows = [{"app": app, "ret": selectors.last_return_event(app)} for app in page.items]
    audit.audited_read(actor=request.user, action="application.list", objects=page.items, request=request,
                       object_type="applications.application", details={"page": page.page, "list": "returned"})
    # What to fix is stored as checklist codes (and free text): the page shows the documents' titles.
    titles = catalog.requirement_titles(app.service_id for app in page.items)
    for row in rows:
        row["items"] = catalog.titled_items(titles, row["app"].service_id,
                                            row["ret"].data.get("items") if row["ret"] else [])
    return render(request, "applications/returned.html", {"page": page, "rows": rows})


@access.permission_required("application.view")
@_messages_on_error
@require_GET
def results_list(request):
    """Decisions that came back to the front office and wait to be handed to the resident."""
    page = selectors.paginate(selectors.results_to_issue(request.user), request.GET.get("page"))
    audit.audited_read(actor=request.user, action="application.list", objects=page.items, request=request,
                       object_type="applications.application", details={"page": page.page, "list": "results"})
    decisions = selectors.shown_decisions(request.user, page.items)
    rows = [{"app": app, "decision": decisions[app.pk]} for app in page.items]
    return render(request, "applications/results.html", {"page": page, "rows": rows, "methods": IssueMethod.choices})


# --- wizard: service → applicant → details/documents → review → submit -------------------------


@access.permission_required(INTAKE)
@_messages_on_error
@require_GET
def new_service(request):
    """Step 1: choose the service (a search box over the catalog)."""
    q = normalize_name(request.GET.get("q") or "")
    services = [s for s in catalog.active_services() if not q or q in normalize_name(s.name_uk)
                or q in normalize_name(s.name)
                or q in normalize_name(s.description or "") or q in normalize_name(s.about) or q in s.code]
    ctx = {"services": services, "q": request.GET.get("q") or ""}
    if request.htmx:
        return render(request, "applications/_service_list.html", ctx)
    return render(request, "applications/new_service.html", ctx)


@access.permission_required(INTAKE)
@_messages_on_error
def new_applicant(request, code: str):
    """Step 2: pick the applicant (persons:search hands back ?person=<id>) and create the draft."""
    try:
        service = catalog.service_by_code(code)
    except HromadaError as exc:
        return _fail(request, exc, reverse("front:new"))
    here = reverse("front:new_applicant", args=[code])
    person = None
    person_id = request.POST.get("applicant_id") or request.GET.get("person")
    if person_id:
        person = access.visible(request.user, Person).filter(pk=_int(person_id) or 0).first()
        if person is None:
            messages.error(request, _("Особу не знайдено у вашій громаді."))
    if request.method == "POST" and person is not None:
        try:
            app = intake.create_application(
                actor=request.user, service_code=service.code, applicant_id=person.pk,
                channel=request.POST.get("channel") or Channel.IN_PERSON,
                paper_received_on=_date(request.POST.get("paper_received_on")))
        except HromadaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Чернетку заяви %(n)s створено.") % {"n": app.number})
            return redirect("front:edit", pk=app.pk)
    return render(request, "applications/new_applicant.html", {
        "service": service, "person": person, "pick_url": person_picker_url(here), "channels": Channel.choices,
        "today": timezone.localdate()})


def _case_context(request, app) -> dict:
    items = selectors.checklist(app)
    ret = selectors.last_return_event(app) if app.status in (Status.RETURNED, Status.RESUBMITTED) else None
    titles = {i.document_code: i.title for i in items}
    return {
        "app": app, "items": items, "participants": app.people,
        "missing_required": [i for i in items if i.required and not i.provided],
        "missing_follow": [i for i in items if i.may_follow and not i.provided],
        "actions": workflow.allowed_actions(app, request.user),
        "editable": app.status in (Status.DRAFT, Status.RETURNED),
        "at_back_office": app.status in (Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED),
        "ret": ret, "ret_items": [titles.get(i, i) for i in (ret.data.get("items", []) if ret else [])],
        "channels": Channel.choices, "roles": [r for r in ParticipantRole.choices if r[0] != ParticipantRole.APPLICANT],
        "draft": app.draft_data or {},
        # What the contact fields show: the value being typed (autosaved raw) or the one stored on the case.
        "contacts": {k: (app.draft_data or {}).get(k, getattr(app, k)) for k in intake.CONTACT_FIELDS},
        "paper_value": (app.draft_data or {}).get("paper_received_on")
        or (app.paper_received_on.isoformat() if app.paper_received_on else ""),
        "social": _social_intake(app),
    }


@access.permission_required(INTAKE)
@_messages_on_error
def edit(request, pk: int):
    """Step 3: participants, details (autosaved) and documents with the checklist (draft or returned case)."""
    app = selectors.application_for(request.user, pk)
    if app.status not in (Status.DRAFT, Status.RETURNED):
        return redirect("front:card", pk=app.pk)
    ctx = _case_context(request, app)
    here = reverse("front:edit", args=[app.pk])
    ctx["pick_member_url"] = person_picker_url(here)
    picked = _int(request.GET.get("person"))
    ctx["picked"] = access.visible(request.user, Person).filter(pk=picked).first() if picked else None
    return render(request, "applications/edit.html", ctx)


@access.permission_required(INTAKE)
@_messages_on_error
@require_POST
def save_draft(request, pk: int):
    """Autosave (htmx, on input): the raw field values into draft_data; answers a status line."""
    data = {**_draft_values(request), "saved_at": timezone.now().isoformat()}
    contact_error = None
    # No version check (as in save_details): every autosave posts the whole form, and leaving one field fires a
    # save before the previous answer brought the new version — the form must not conflict with itself.
    try:
        try:
            app = intake.save_draft(actor=request.user, application_id=pk, data=data, **_contacts(request))
        except ValidationFailed as exc:
            if exc.code not in ("invalid_phone", "invalid_email", "too_long"):
                raise
            # A phone or e-mail half typed: keep what was typed (the raw draft), say what is wrong.
            contact_error = exc.message
            app = intake.save_draft(actor=request.user, application_id=pk, data=data)
    except (NotFound, Forbidden):
        raise
    except HromadaError as exc:
        return render(request, "applications/_autosave.html", {"error": exc.message, "version": _version(request)})
    return render(request, "applications/_autosave.html",
                  {"app": app, "version": app.version, "error": contact_error})


@access.permission_required(INTAKE)
@_messages_on_error
@require_POST
def save_details(request, pk: int):
    """Apply the details (channel, paper date) and go on to the review."""
    fallback = reverse("front:edit", args=[pk])
    try:
        # No version check: the autosave of this very form may have moved it a moment ago.
        app = intake.update_draft_details(
            actor=request.user, application_id=pk, channel=request.POST.get("channel"),
            paper_received_on=_date(request.POST.get("paper_received_on")) if "paper_received_on" in request.POST
            else ..., draft={**_draft_values(request), "saved_at": timezone.now().isoformat()},
            **_contacts(request))
    except HromadaError as exc:
        return _fail(request, exc, fallback)
    if app.status == Status.RETURNED:
        messages.success(request, _("Зміни збережено."))
        return redirect(fallback)
    return redirect("front:review", pk=pk)


@access.permission_required(INTAKE)
@_messages_on_error
@require_POST
def participants(request, pk: int):
    """Add (person_id + role) or remove (remove=<person_id>:<role>) a participant other than the applicant."""
    fallback = reverse("front:edit", args=[pk])
    app = selectors.application_for(request.user, pk)
    current = [(p.person_id, p.role) for p in app.people if p.role != ParticipantRole.APPLICANT]
    if request.POST.get("remove"):
        pid, _sep, role = request.POST["remove"].partition(":")
        current = [(p, r) for p, r in current if not (str(p) == pid and r == role)]
    elif request.POST.get("person_id"):
        current.append((_int(request.POST.get("person_id")), request.POST.get("role") or ParticipantRole.FAMILY_MEMBER))
    try:
        intake.update_draft_details(actor=request.user, application_id=pk, members=current,
                                    expected_version=_version(request))
    except HromadaError as exc:
        return _fail(request, exc, fallback)
    return redirect(fallback)


@access.permission_required(INTAKE)
@_messages_on_error
@require_POST
def upload(request, pk: int, code: str):
    """Upload a scan for one checklist item; htmx gets the item's fragment back (with the error if any)."""
    error = None
    try:
        document_services.attach_document(actor=request.user, application_id=pk, document_code=code,
                                          uploaded_file=request.FILES.get("file"), request=request)
    except (NotFound, Forbidden):
        raise
    except HromadaError as exc:
        error = exc.message
        if not request.htmx:
            return _fail(request, exc, reverse("front:edit", args=[pk]))
    if not request.htmx:
        return _back(request, reverse("front:edit", args=[pk]))
    app = selectors.application_for(request.user, pk)
    ctx = _case_context(request, app)
    item = next(i for i in ctx["items"] if i.document_code == code)
    return render(request, "applications/_upload_result.html",
                  {**ctx, "item": item, "error": error, "uploaded": error is None})


@access.permission_required(INTAKE)
@_messages_on_error
@require_POST
def remove_document(request, pk: int, doc_id: int):
    try:
        document_services.remove_document(actor=request.user, application_id=pk, document_id=doc_id, request=request)
    except HromadaError as exc:
        return _fail(request, exc, reverse("front:edit", args=[pk]))
    return _back(request, reverse("front:edit", args=[pk]))


@access.permission_required("application.view")
@_messages_on_error
@require_GET
def download(request, pk: int, doc_id: int):
    doc = document_services.document_for_download(actor=request.user, application_id=pk, document_id=doc_id,
                                                  request=request)
    return FileResponse(doc.file.open("rb"), content_type=doc.content_type, filename=doc.original_name,
                        as_attachment=request.GET.get("inline") != "1")


@access.permission_required(INTAKE)
@_messages_on_error
@require_GET
def review(request, pk: int):
    """Step 4: everything on one page, and the submit button with a one-time form token."""
    app = selectors.application_for(request.user, pk)
    if app.status != Status.DRAFT:
        return redirect("front:card", pk=app.pk)
    ctx = _case_context(request, app)
    ctx["form_token"] = secrets.token_urlsafe(16)
    # What submitting now would give: where the case goes and by when the decision is due.
    try:
        ctx["preview_back_office"] = deciding_office_for(app.hromada, app.service.deciding_authority)
    except HromadaError as exc:
        ctx["preview_error"] = exc.message
    ctx["preview_due"] = deadlines.initial_due_date(app)
    ctx["preview_late"] = deadlines.handover_is_late(app.paper_received_on, timezone.localdate())
    ctx["registers_panel"] = registers_panel(request, app) if registers_panel.provided else ""
    return render(request, "applications/review.html", ctx)


@access.permission_required(INTAKE)
@_messages_on_error
@require_POST
def submit(request, pk: int):
    """Submit; the form token is the idempotency key, so a double click or a resent form submits once."""
    token = (request.POST.get("form_token") or "").strip()
    try:
        result = intake.submit_application(actor=request.user, application_id=pk,
                                           idempotency_key=f"ui:{token}" if token else None,
                                           expected_version=_version(request), request=request)
    except HromadaError as exc:
        return _fail(request, exc, reverse("front:review", args=[pk]))
    if not result.replayed:
        messages.success(request, _("Заяву %(n)s надіслано до бек-офісу. Надрукуйте повідомлення для заявника.")
                         % {"n": result.response["number"]})
    return redirect(f"{reverse('front:card', args=[pk])}?submitted=1")


# --- the case card and its actions --------------------------------------------------------------


@access.permission_required("application.view")
@_messages_on_error
@require_GET
def card(request, pk: int):
    app = selectors.application_for(request.user, pk)
    audit.audited_read(actor=request.user, action="application.view", objects=[app], request=request)
    ctx = _case_context(request, app)
    ctx["events"] = selectors.events_of(app)   # the case in hand, visible to the user
    ctx["just_submitted"] = request.GET.get("submitted") == "1"
    ctx["decision"] = selectors.shown_decision(request.user, app)
    ctx["methods"] = IssueMethod.choices
    # The state-register checks (hromada.registers, a floor above, through the slot).
    ctx["registers_panel"] = registers_panel(request, app) if registers_panel.provided else ""
    return render(request, "applications/card.html", ctx)


@access.permission_required(INTAKE)
@_messages_on_error
@require_POST
def resubmit(request, pk: int):
    try:
        app = intake.resubmit_application(actor=request.user, application_id=pk, comment=request.POST.get("comment", ""),
                                          expected_version=_version(request), request=request)
    except HromadaError as exc:
        return _fail(request, exc, reverse("front:card", args=[pk]))
    messages.success(request, _("Виправлену заяву %(n)s надіслано повторно.") % {"n": app.number})
    return redirect("front:card", pk=pk)


@access.permission_required("application.issue")
@_messages_on_error
@require_POST
def issue(request, pk: int):
    try:
        app = front_services.issue_result(actor=request.user, application_id=pk,
                                          method=request.POST.get("method", ""),
                                          comment=request.POST.get("comment", ""),
                                          expected_version=_version(request), request=request)
    except HromadaError as exc:
        return _fail(request, exc, reverse("front:results"))
    messages.success(request, _("Результат за заявою %(n)s видано заявнику (%(how)s); справу закрито.") % {
        "n": app.number, "how": selectors.issue_method_phrase(app.issue_method)})
    return _back(request, reverse("front:results"))


@access.permission_required("application.withdraw")
@_messages_on_error
@require_POST
def withdraw(request, pk: int):
    try:
        app = front_services.withdraw_application(actor=request.user, application_id=pk,
                                                  reason=request.POST.get("reason", ""),
                                                  expected_version=_version(request), request=request)
    except HromadaError as exc:
        return _fail(request, exc, reverse("front:card", args=[pk]))
    messages.success(request, _("Заяву %(n)s відкликано.") % {"n": app.number})
    return redirect("front:card", pk=pk)


@access.permission_required("application.view")
@_messages_on_error
@require_GET
def receipt(request, pk: int):
    try:
        stored = receipt_for(actor=request.user, application_id=pk, request=request)
    except HromadaError as exc:
        return _fail(request, exc, reverse("front:card", args=[pk]))
    return FileResponse(stored.file.open("rb"), content_type="application/pdf",
                        filename=f"povidomlennia-{stored.application.number}.pdf")


@access.permission_required("application.view")
@_messages_on_error
@require_GET
def decision_document(request, pk: int):
    """The decision notice (the back office's PDF, with signature lines) to print and hand to the resident; for an
    application for social services, the notice of the social case's decision (its own layout, through the slot)."""
    app = selectors.application_for(request.user, pk)
    if app.service.category == ServiceCategory.SOCIAL_SERVICES:
        body = catalog_slots.social_decision_pdf(request.user, pk)
        if body is None:
            raise NotFound(_("Рішення за цією заявою ще не прийнято."), code="no_decision")
        audit.audited_read(actor=request.user, action="decision.download", objects=[app], request=request, limit=False)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="rishennia-{app.number}.pdf"'
        return response
    decision = decision_for(request.user, pk)
    if decision is None:
        raise NotFound(_("Рішення за цією заявою ще не прийнято."), code="no_decision")
    audit.audited_read(actor=request.user, action="decision.download", objects=[decision.application],
                       request=request, limit=False)
    response = HttpResponse(decision_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rishennia-{decision.application.number}.pdf"'
    return response
