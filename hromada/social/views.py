"""Ukrainian UI for social services. Thin: parse the form, call one service, redirect (errors as messages).

A role that may never do a page's action gets 403 (``access.permission_required``); another hromada's case and a
provider's worker's look at someone else's client get 404, like a missing case. The front office sees only its
intake page and the receipts of applications it registered; the public status page needs the number and the check
code."""
from __future__ import annotations

from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hromada.accounts import access
from hromada.audit.services import audited_read, client_ip
from hromada.catalog import slots as catalog_slots
from hromada.core import throttle
from hromada.core.errors import HromadaError, NotFound
from hromada.persons import selectors as person_selectors

from . import pdf, rules, selectors, services
from .models import CaseService, CaseStatus
from .workflow import EVENT_LABELS, OPEN_STATES, allowed_actions

PAGE_SIZE = 25


VIEW, INTAKE, CHANGE, DELIVER = selectors.VIEW, "socialcase.intake", "socialcase.change", "socialcase.deliver"


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _version(request) -> int | None:
    return _int(request.POST.get("version"), None) if request.POST.get("version") else None


def _action(permission: str = CHANGE):
    """A POST on a case: run the service; a refusal comes back as a message on the card."""
    def decorator(view):
        @access.permission_required(permission)
        @require_POST
        @wraps(view)
        def wrapper(request, pk: int):
            try:
                message = view(request, pk)
            except HromadaError as exc:
                if isinstance(exc, NotFound):
                    raise
                messages.error(request, exc.message)
            else:
                if message:
                    messages.success(request, message)
            target = request.POST.get("back") or ""
            if target == "deliveries":
                return redirect("social:deliveries")
            return redirect(reverse("social:detail", args=[pk]) + (f"#{target}" if target else ""))
        return wrapper
    return decorator


# ---- lists -----------------------------------------------------------------------------------------------------

@access.permission_required(VIEW)
def case_list(request):
    status, query = request.GET.get("status", "open"), request.GET.get("q", "")
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.cases_for(request.user, status=status, query=query, overdue=overdue)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audited_read(actor=request.user, action="socialcase.list", objects=page.object_list,
                 object_type="social.socialcase", request=request, limit=False,
                 details={"status": status, "searched": bool(query.strip()), "overdue": overdue})
    return render(request, "social/list.html", {
        "page": page, "status": status, "q": query, "overdue": overdue, "statuses": list(CaseStatus.choices),
        "today": timezone.localdate(), "may_intake": access.may(request.user, "socialcase.intake"),
        "urgencies": rules.URGENCIES,
    })


@access.permission_required("socialprovider.manage")
def provider_list(request):
    if request.method == "POST":
        try:
            op = request.POST.get("op")
            provider_id = _int(request.POST.get("provider_id"))
            if op == "capacity":
                services.set_capacity(actor=request.user, provider_id=provider_id,
                                      service_code=request.POST.get("service_code", ""),
                                      capacity=_int(request.POST.get("capacity"), -1), request=request)
                messages.success(request, _("Кількість місць змінено."))
            elif op in ("deactivate", "reactivate"):
                services.set_provider_active(actor=request.user, provider_id=provider_id, active=op == "reactivate",
                                             request=request)
                messages.success(request, _("Надавача відновлено в дії.") if op == "reactivate"
                                 else _("Надавача виключено з дії: нові рішення його не обирають."))
            elif op == "link":
                worker = next((w for w in selectors.provider_workers_for(request.user)
                               if w.pk == _int(request.POST.get("user_id"))), None)
                if worker is None:
                    raise NotFound()
                services.link_provider_worker(actor=request.user, user=worker, provider_id=provider_id,
                                              request=request)
                messages.success(request, _("Працівника пов’язано з надавачем."))
            elif op == "unlink":
                services.unlink_provider_worker(actor=request.user, user_id=_int(request.POST.get("user_id")),
                                                request=request)
                messages.success(request, _("Працівника від’єднано від надавача."))
            else:
                offers = {code: _int(request.POST.get(f"cap_{code}"), 0) for code in request.POST.getlist("services")}
                services.register_provider(actor=request.user, name=request.POST.get("name", ""),
                                           kind=request.POST.get("kind", ""), edrpou=request.POST.get("edrpou", ""),
                                           address=request.POST.get("address", ""),
                                           phone=request.POST.get("phone", ""), offers=offers, request=request)
                messages.success(request, _("Надавача додано до реєстру."))
        except NotFound:
            raise                     # another hromada's provider or worker: as if it did not exist
        except HromadaError as exc:
            messages.error(request, exc.message)
        return redirect("social:providers")
    rows = list(selectors.providers_for(request.user))
    loads = selectors.provider_loads(rows)
    workers = selectors.provider_workers_for(request.user)
    linked: dict[int, list] = {}
    for w in workers:
        staff = getattr(w, "social_provider", None)
        if staff is not None:
            linked.setdefault(staff.provider_id, []).append(w)
    providers = [{"p": p, "load": loads[p.pk], "workers": linked.get(p.pk, []),
                  "waiting": sum(o["waiting"] for o in loads[p.pk])} for p in rows]
    return render(request, "social/providers.html", {
        "providers": providers, "kinds": rules.provider_kinds(), "services": rules.service_names(),
        "unlinked": [w for w in workers if getattr(w, "social_provider", None) is None]})


@access.permission_required(DELIVER)
def deliveries(request):
    """The provider worker's phone page: its clients in service, one short form per service."""
    qs = (selectors.cases_for(request.user, status=CaseStatus.IN_SERVICE).select_related("person__settlement")
          .prefetch_related("services__provider"))
    rows = [{"case": c, "services": [s for s in selectors.services_for_worker(request.user, c)
                                     if s.state == CaseService.ACTIVE]} for c in qs[:100]]
    audited_read(actor=request.user, action="socialcase.list", objects=[r["case"] for r in rows],
                 object_type="social.socialcase", request=request, limit=False, details={"page": "deliveries"})
    return render(request, "social/deliveries.html", {
        "rows": [r for r in rows if r["services"]], "names": rules.service_names(), "today": timezone.localdate(),
        "provider": selectors.provider_of(request.user)})


# ---- intake, receipt, public status ------------------------------------------------------------------------------

@access.permission_required(INTAKE)
def case_new(request):
    person = None
    person_id = request.GET.get("person") or request.POST.get("person_id")
    if person_id:
        try:
            person = person_selectors.get_person(request.user, _int(person_id))
        except NotFound:
            messages.error(request, _("Особу не знайдено в реєстрі вашої громади."))
    if request.method == "POST" and person is not None:
        try:
            case = services.register_social_case(
                actor=request.user, person_id=person.pk, service_codes=request.POST.getlist("services"),
                urgency=request.POST.get("urgency", ""), summary=request.POST.get("summary", ""),
                applied_on=_date(request.POST.get("applied_on")), documents=request.POST.getlist("documents"),
                request=request)
        except HromadaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Заяву зареєстровано. Видайте квитанцію з кодом перевірки."))
            return redirect("social:receipt", pk=case.pk)
    household = person_selectors.household_of(request.user, person) if person else []
    if person is not None:
        audited_read(actor=request.user, action="person.view", objects=[person], request=request,
                     details={"page": "social_intake"})
    return render(request, "social/new.html", {
        "person": person, "household": household, "catalog": rules.services(), "groups": rules.recipient_groups(),
        "urgencies": rules.URGENCIES, "terms": _terms(),
        "pick_url": reverse("persons:search") + "?next=" + reverse("social:new"),
        "chosen": request.POST.getlist("services"), "today": timezone.localdate(),
        "documents": rules.intake_documents(), "documents_source": rules.rules()["intake_documents"]["source"],
        # The one wizard with scans (applications), for those who may take applications there.
        "wizard_url": reverse("front:new_applicant", args=["social_services"])
        if access.may(request.user, "application.intake") else "",
    })


@access.permission_required(INTAKE)
def receipt(request, pk: int):
    case = selectors.receipt_for(request.user, pk)
    audited_read(actor=request.user, action="socialcase.receipt", objects=[case], request=request, limit=False)
    docs = rules.intake_documents()
    return render(request, "social/receipt.html", {
        "case": case, "names": rules.service_names(), "urgencies": rules.URGENCIES,
        "documents": [(d["name"], code in case.documents) for code, d in docs.items()
                      if d["required"] or code in case.documents],
        "may_view": access.can_see(request.user, case) if access.may(request.user, selectors.VIEW) else False,
        "status_url": request.build_absolute_uri(reverse("social:status"))})


@access.permission_required(INTAKE)
def receipt_pdf(request, pk: int):
    case = selectors.receipt_for(request.user, pk)
    audited_read(actor=request.user, action="socialcase.receipt_pdf", objects=[case], request=request, limit=False)
    body = pdf.receipt_pdf(case, request.build_absolute_uri(reverse("social:status")))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{case.pk}.pdf"'
    return response


def status_check(request):
    """Public: number + check code → the status only (no name, no services). Failed tries are counted per address
    (the same limit as the benefits' status page): guessing codes is refused, the resident elsewhere is not."""
    number, code = request.GET.get("number", "").strip()[:64], request.GET.get("code", "")
    window = settings.HROMADA_STATUS_CHECK_WINDOW_MINUTES * 60
    ip = client_ip(request) or "-"
    case, limited, status = None, False, 200
    if number or code:
        if throttle.peek("social_status_miss", ip, window=window) >= settings.HROMADA_STATUS_CHECK_LIMIT:
            limited, status = True, 429
        else:
            case = selectors.public_status(number, code)
            if case is None:
                throttle.count("social_status_miss", ip, window=window)
                status = 404
    return render(request, "social/status.html", {
        "number": number, "asked": bool(number or code), "case": case, "limited": limited,
        "public_label": selectors.public_label(case) if case else ""}, status=status)


# ---- the case card ----------------------------------------------------------------------------------------------

@access.permission_required(VIEW)
def case_detail(request, pk: int):
    user = request.user
    case = selectors.case_for(user, pk)
    audited_read(actor=user, action="socialcase.view", objects=[case], request=request, limit=False)
    may_change = access.may(user, "socialcase.change")
    assessments = list(case.assessments.all())
    services_list = list(case.services.all())
    actions = allowed_actions(case, user)
    names = rules.service_names()
    last = assessments[-1] if assessments else None
    return render(request, "social/detail.html", {
        "case": case, "names": names, "urgencies": rules.URGENCIES, "today": timezone.localdate(),
        "requested": [names.get(r.code, r.code) for r in case.requested.all()],
        "assessments": [{"a": a, "rows": [(rules.sections().get(k, k), v["score"], v["note"])
                                          for k, v in a.sections.items()],
                         "recommended": [names.get(c, c) for c in a.recommended],
                         "free": [rules.free_conditions().get(c, c) for c in a.free_conditions]} for a in assessments],
        "decision": getattr(case, "decision", None), "plan": getattr(case, "plan", None),
        "services": services_list, "payment_labels": rules.PAYMENT_LABELS,
        "deliverable": [s for s in selectors.services_for_worker(user, case) if s.state == CaseService.ACTIVE]
        if case.status == CaseStatus.IN_SERVICE and access.may(user, "socialcase.deliver") else [],
        "referrals": list(case.referrals.all()), "bodies": rules.referral_bodies(),
        "events": [{"e": e, "label": EVENT_LABELS.get(e.action, e.action)} for e in case.events.all()],
        "may_change": may_change, "actions": actions,
        "show_assess": may_change and case.status in (CaseStatus.REGISTERED, CaseStatus.ASSESSMENT,
                                                      CaseStatus.IN_SERVICE, CaseStatus.SUSPENDED),
        "show_decide": may_change and case.status == CaseStatus.ASSESSED,
        "show_plan": may_change and case.status == CaseStatus.PROVIDING,
        "sections": rules.sections(), "scale": rules.score_scale(), "catalog": rules.services(),
        "free_conditions": rules.free_conditions(), "outcomes": rules.outcomes(),
        "status_labels": selectors.STATUS_LABELS,
        "recommended": last.recommended if last else [r.code for r in case.requested.all()],
        "offering": {code: selectors.providers_offering(user, code)
                     for code in (last.recommended if last else [])} if may_change else {},
        "household": selectors.household(user, case) if may_change else [],
        "applications": selectors.family_applications(user, case) if may_change else [],
        "open": case.status in OPEN_STATES,
        "terms": _terms(), "terms_unconfirmed": any(not t.confirmed for t in _terms().values()),
        **_documents(user, case, may_change),
    })


def _documents(user, case, may_change: bool) -> dict:
    """The case's documents from one list: a case opened from a front-office application shows that application's
    checklist and scans (catalog.slots.application_checklist); a case registered on the short form, its ticks of
    the same checklist (rules.intake_documents: the catalogue's list of «social_services»)."""
    if case.application_id is not None:
        items = None
        if may_change and catalog_slots.application_checklist.provided:
            try:
                items = catalog_slots.application_checklist(user, case.application_id)
            except NotFound:
                items = None
        return {"application_documents": items}
    docs = rules.intake_documents()
    return {"case_documents": [(d["name"], code in case.documents) for code, d in docs.items()
                               if d["required"] or code in case.documents]}


def _terms() -> dict:
    """The terms that run on a case, each with its source and whether it is confirmed (services.json)."""
    return {k: rules.term(k) for k in ("assessment", "assessment_crisis", "decision")}


@access.permission_required(CHANGE)
def notice_pdf(request, pk: int):
    case = selectors.case_for(request.user, pk)
    if getattr(case, "decision", None) is None:
        raise Http404()
    audited_read(actor=request.user, action="socialcase.notice_pdf", objects=[case], request=request, limit=False)
    response = HttpResponse(pdf.notice_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="decision-{case.pk}.pdf"'
    return response


@_action()
def assign(request, pk):
    services.assign(actor=request.user, case_id=pk, expected_version=_version(request), request=request)
    return _("Справу взято в роботу: оцінювання потреб розпочато.")


@_action()
def assessment(request, pk):
    post = request.POST
    data = services.AssessmentInput(
        sections={code: services.SectionInput(_int(post.get(f"score_{code}"), -1), post.get(f"note_{code}", ""))
                  for code in rules.sections()},
        conclusion=post.get("conclusion", ""), recommended=post.getlist("recommended"),
        free_conditions=post.getlist("free_conditions"), home_visit_on=_date(post.get("home_visit_on")),
        home_visit_note=post.get("home_visit_note", ""), completed_on=_date(post.get("completed_on")))
    services.complete_assessment(actor=request.user, case_id=pk, data=data, expected_version=_version(request),
                                 request=request)
    return _("Оцінювання потреб записано.")


@_action()
def decision(request, pk):
    outcome = request.POST.get("outcome", "")
    choices = [services.ServiceChoice(code, _int(request.POST.get(f"provider_{code}")))
               for code in request.POST.getlist("services")] if outcome == "provide" else []
    services.decide(actor=request.user, case_id=pk, outcome=outcome, services=choices,
                    reason=request.POST.get("reason", ""), decided_on=_date(request.POST.get("decided_on")),
                    expected_version=_version(request), request=request)
    return _("Рішення записано. Надрукуйте повідомлення.")


@_action()
def plan(request, pk):
    post = request.POST
    items = [services.PlanItemInput(code, post.get(f"frequency_{code}", ""), post.get(f"goal_{code}", ""),
                                    post.get(f"contract_{code}", ""), _date(post.get(f"contract_on_{code}")))
             for code in post.getlist("codes")]
    services.approve_plan(actor=request.user, case_id=pk, goals=post.get("goals", ""), items=items,
                          consent_on=_date(post.get("consent_on")) if post.get("consent") else None,
                          approved_on=_date(post.get("approved_on")), expected_version=_version(request),
                          request=request)
    return _("Індивідуальний план затверджено.")


@_action(DELIVER)
def delivery(request, pk):
    services.record_delivery(actor=request.user, case_id=pk, service_code=request.POST.get("service_code", ""),
                             delivered_on=_date(request.POST.get("delivered_on")),
                             minutes=_int(request.POST.get("minutes"), 0), note=request.POST.get("note", ""),
                             request=request)
    return _("Надання послуги зафіксовано.")


@_action()
def referral(request, pk):
    services.send_referral(actor=request.user, case_id=pk, body=request.POST.get("body", ""),
                           purpose=request.POST.get("purpose", ""), request=request)
    return _("Направлення записано.")


@_action()
def suspend(request, pk):
    services.suspend(actor=request.user, case_id=pk, reason=request.POST.get("reason", ""),
                     expected_version=_version(request), request=request)
    return _("Надання послуг призупинено.")


@_action()
def resume(request, pk):
    services.resume(actor=request.user, case_id=pk, expected_version=_version(request), request=request)
    return _("Надання послуг відновлено.")


@_action()
def close(request, pk):
    services.close_case(actor=request.user, case_id=pk, outcome=request.POST.get("outcome", ""),
                        note=request.POST.get("note", ""), expected_version=_version(request), request=request)
    return _("Справу закрито.")
