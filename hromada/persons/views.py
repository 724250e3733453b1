"""Front-office pages of the person registry: find a person (also as a "pick a person" step of other
pages, via ``?next=``), the person's card, register/edit a person, add household members.

Views are thin: bind the form, call one service or selector, render or redirect.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from stdnum.ua import rntrc

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.core.errors import Conflict, HromadaError, NotFound, ValidationFailed
from hromada.territory.models import Unit
from hromada.territory.selectors import search_units

from . import access_report as access_report_document
from . import selectors, services
from .forms import PersonForm, TakeIntoWorkForm, initial_from_person
from .models import RESIDENCE_CATEGORIES, Relation
from .validators import latin_letters_warning

PAGE_SIZE = 20


def safe_next(request) -> str:
    """The ``next`` URL only if it is a local path of this site (no open redirect)."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def with_person(url: str, person_id: int) -> str:
    """``url`` with ``person=<id>`` set in its query (the "pick a person" answer)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "person"]
    query.append(("person", str(person_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _optional_url(name: str, **kwargs) -> str:
    """URL of another app's page if that app provides it (the person card links to the intake)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def _birth_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@access.permission_required("person.view")
def search(request):
    """One box: РНОКПП, document number or name; htmx requests get only the results."""
    q = (request.GET.get("q") or "").strip()
    birth_date = _birth_date(request.GET.get("birth_date", ""))
    page_arg = request.GET.get("page", "")
    page = max(1, int(page_arg)) if page_arg.isdigit() else 1
    next_url = safe_next(request)
    searched = bool(q or birth_date)
    # A search reads the user's scope only (a GET never reaches across the country nor links anyone): a resident
    # of another hromada is taken into the hromada's work by the explicit, audited «взяти в роботу» (persons:take).
    live = request.GET.get("live") == "1"
    parsed = selectors.parse_query(q)
    # A complete РНОКПП with a wrong check digit is a typing error, told as such (not as "nobody").
    rnokpp_valid = parsed.kind == "rnokpp" and rntrc.is_valid(parsed.value)
    persons = []
    if searched:
        persons = selectors.search_persons(request.user, q=q, birth_date=birth_date, limit=PAGE_SIZE + 1,
                                           offset=(page - 1) * PAGE_SIZE)
        audited_read(actor=request.user, action="person.search", objects=persons[:PAGE_SIZE],
                     object_type="persons.person", request=request,
                     details={"query": parsed.kind, "page": page, "live": live})
    results = [{"person": p, "pick_url": with_person(next_url, p.pk) if next_url else ""} for p in persons[:PAGE_SIZE]]
    take_query = {"next": next_url, "rnokpp": q.replace(" ", "") if parsed.kind == "rnokpp" else ""}
    ctx = {"q": q, "birth_date": request.GET.get("birth_date", ""), "results": results, "searched": searched,
           "next": next_url, "page": page, "has_more": len(persons) > PAGE_SIZE,
           "kind": parsed.kind, "live": live, "rnokpp_valid": rnokpp_valid,
           "may_register": access.may(request.user, "person.register"),
           "register_query": urlencode({k: v for k, v in (("next", next_url), ("q", q)) if v}),
           "may_take": access.may(request.user, "person.lookup_by_identifier"),
           "take_query": urlencode({k: v for k, v in take_query.items() if v})}
    template = "persons/_results.html" if request.headers.get("HX-Request") else "persons/search.html"
    return render(request, template, ctx)


@access.permission_required("person.view")
def card(request, pk: int):
    person = selectors.get_person(request.user, pk)
    household = selectors.household_of(request.user, person)
    member_of = [h for h in selectors.member_of(person) if access.can_see(request.user, h.person)]
    audited_read(actor=request.user, action="person.view", objects=[person], request=request,
                 details={"household_ids": [h.member_id for h in household],
                          "member_of_ids": [h.person_id for h in member_of]})
    ctx = {"person": person, "household": household, "member_of": member_of,
           "applications": [{"app": a, "url": _optional_url("front:card", pk=a.pk)}
                            for a in selectors.applications_of(request.user, person)[:20]],
           "may_change": access.may(request.user, "person.change"),
           "may_report": access.may(request.user, "person.access_report"),
           "new_application_url": _optional_url("front:new") if access.may(request.user, "application.intake")
           else "", "next": safe_next(request)}
    ctx["pick_url"] = with_person(ctx["next"], person.pk) if ctx["next"] else ""
    return render(request, "persons/card.html", ctx)


@access.permission_required("person.access_report")
def access_report(request, pk: int):
    """The resident's access report on screen (who — office and role —, when, what, why) and as a PDF to print."""
    if request.GET.get("format") == "pdf":
        return access_report_document.response(request, pk)
    person, rows = selectors.access_report(request.user, pk)
    audited_read(actor=request.user, action="audit.access_report", objects=[person], request=request,
                 details={"rows": len(rows), "format": "html"})
    return render(request, "persons/access_report.html", {"person": person, "rows": rows,
                                                          "law": access_report_document.LAW})


def _settlement_choice(code: str):
    if not code:
        return None
    return Unit.objects.filter(code=code, category__in=RESIDENCE_CATEGORIES).select_related("raion", "oblast").first()


def _form_page(request, form, *, person=None, head=None, candidates=None, duplicate=None, elsewhere=False):
    code = form["settlement_code"].value() or ""
    return render(request, "persons/form.html", {
        "form": form, "person": person, "head": head, "candidates": candidates or [], "duplicate": duplicate,
        "elsewhere": elsewhere, "take_query": urlencode({k: v for k, v in (
            ("rnokpp", form["rnokpp"].value() or ""), ("next", safe_next(request))) if v}),
        "settlement": _settlement_choice(code), "next": safe_next(request), "relations": Relation.choices})


@access.permission_required("person.register")
def register(request):
    """Register a resident; with ``?household_for=<id>`` also link them to that person's household."""
    head_id = request.GET.get("household_for") or request.POST.get("household_for")
    head = selectors.get_person(request.user, head_id) if head_id else None
    if head is not None:
        audited_read(actor=request.user, action="person.view", objects=[head], request=request,
                     details={"page": "register_household_member"})
    if request.method != "POST":
        office = request.user.office
        initial = {"settlement_code": office.settlement.code if office and office.settlement_id else ""}
        if head is not None:
            initial.update(last_name=head.last_name, settlement_code=head.settlement.code if head.settlement_id
                           else initial["settlement_code"], street=head.street, house=head.house, flat=head.flat)
        q = request.GET.get("q", "").strip()
        kind = selectors.parse_query(q)
        if kind.kind == "rnokpp":
            initial["rnokpp"] = kind.value
        elif kind.kind == "name":
            initial.update(zip(("last_name", "first_name", "patronymic"), q.split(maxsplit=2), strict=False))
        return _form_page(request, PersonForm(initial=initial), head=head)
    form = PersonForm(request.POST)
    form.is_valid()   # every field is optional here: the service validates
    if head is not None and not form.cleaned_data.get("relation"):
        form.add_error("relation", _("Оберіть ступінь зв’язку з особою."))
        return _form_page(request, form, head=head)
    try:
        person = services.register_person(actor=request.user, data=form.person_data(), request=request,
                                          confirm_not_duplicate=form.cleaned_data["confirm_not_duplicate"])
        if head is not None:
            services.add_household_member(actor=request.user, person_id=head.pk, member_id=person.pk,
                                          relation=form.cleaned_data["relation"], request=request)
    except Conflict as exc:
        if exc.code == "possible_duplicate":
            candidates = [{**c, "born": date.fromisoformat(c["birth_date"])} for c in exc.details["candidates"]]
            return _form_page(request, form, head=head, candidates=candidates,
                              elsewhere=bool(exc.details.get("elsewhere")))
        if exc.code == "duplicate_person":
            return _form_page(request, form, head=head, duplicate=exc)
        raise
    except HromadaError as exc:
        if exc.status in (403, 404):
            raise
        form.add_service_errors(exc)
        return _form_page(request, form, head=head)
    messages.success(request, _("Особу %(name)s зареєстровано.") % {"name": person.full_name})
    if warning := latin_letters_warning(person.last_name):
        messages.warning(request, warning)
    if head is not None:
        return redirect("persons:card", pk=head.pk)
    next_url = safe_next(request)
    return redirect(with_person(next_url, person.pk) if next_url else reverse("persons:card", args=[person.pk]))


@access.permission_required("person.change")
def edit(request, pk: int):
    person = selectors.get_person(request.user, pk)
    if request.method != "POST":
        audited_read(actor=request.user, action="person.view", objects=[person], request=request,
                     details={"page": "edit"})
        return _form_page(request, PersonForm(initial=initial_from_person(person)), person=person)
    form = PersonForm(request.POST)
    form.is_valid()
    try:
        services.update_person(actor=request.user, person_id=person.pk, data=form.person_data(),
                               expected_version=form.cleaned_data.get("version"), request=request)
    except HromadaError as exc:
        if exc.status in (403, 404):
            raise
        form.add_service_errors(exc)
        return _form_page(request, form, person=person)
    messages.success(request, _("Зміни збережено."))
    if warning := latin_letters_warning(form.person_data().get("last_name")):
        messages.warning(request, warning)
    return redirect("persons:card", pk=person.pk)


@access.permission_required("person.change")
def household_add(request, pk: int):
    """Find an existing person to add to the household (or go to registering a new one)."""
    person = selectors.get_person(request.user, pk)
    if request.method == "POST":
        try:
            services.add_household_member(actor=request.user, person_id=person.pk,
                                          member_id=request.POST.get("member_id"),
                                          relation=request.POST.get("relation", ""), request=request)
        except HromadaError as exc:
            if exc.status == 403:
                raise
            messages.error(request, str(exc.message))
            back = reverse("persons:household_add", args=[person.pk])
            return redirect(f"{back}?{urlencode({'q': request.POST.get('q', '')})}")
        messages.success(request, _("Члена домогосподарства додано."))
        return redirect("persons:card", pk=person.pk)
    q = (request.GET.get("q") or "").strip()
    existing = {h.member_id for h in selectors.household_of(request.user, person)} | {person.pk}
    live = request.GET.get("live") == "1"
    found = [p for p in selectors.search_persons(request.user, q=q, limit=PAGE_SIZE)
             if p.pk not in existing] if q else []
    audited_read(actor=request.user, action="person.search", objects=[person, *found], request=request,
                 details={"page": "household_add", "query": selectors.parse_query(q).kind if q else "", "live": live})
    ctx = {"person": person, "q": q, "found": found, "searched": bool(q), "relations": Relation.choices,
           "kind": selectors.parse_query(q).kind, "live": live}
    template = "persons/_member_results.html" if request.headers.get("HX-Request") else "persons/household_add.html"
    return render(request, template, ctx)


@access.permission_required("person.lookup_by_identifier")
def take(request):
    """«Взяти особу в роботу громади»: a resident of another hromada is at the desk. GET shows the form (reads
    nothing); POST proves her presence (РНОКПП + document number, or + name and birth date), records the reason
    and links her to this hromada (``services.take_person_into_work``), then opens her card."""
    data = request.POST if request.method == "POST" else request.GET
    form = TakeIntoWorkForm(data if request.method == "POST" else None,
                            initial={"rnokpp": data.get("rnokpp", "")})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.take_person_into_work(actor=request.user, request=request, **form.cleaned_data)
        except NotFound as exc:
            form.add_error(None, exc.message)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Особу %(name)s взято в роботу громади.") % {"name": person.full_name})
            next_url = safe_next(request)
            card_url = reverse("persons:card", args=[person.pk])
            return redirect(f"{card_url}?{urlencode({'next': next_url})}" if next_url else card_url)
    return render(request, "persons/take.html", {"form": form, "next": safe_next(request)})


@access.permission_required("person.change")
@require_POST
def household_remove(request, pk: int, member_id: int):
    services.remove_household_member(actor=request.user, person_id=pk, member_id=member_id, request=request)
    messages.success(request, _("Особу вилучено з домогосподарства."))
    return redirect("persons:card", pk=pk)


@access.permission_required("person.register", "person.change")
def settlements(request):
    """<option>s for the settlement <select>: settlements whose name starts with the typed text."""
    text = request.GET.get("settlement_q", "").strip()
    office = request.user.office
    near = office.hromada if office is not None and office.hromada_id else None
    units = list(search_units(text, categories=list(RESIDENCE_CATEGORIES), limit=30, near=near)
                 .select_related("raion")) if text else []
    # A <select> picks its first option by itself: that may be the desk's oblast's place, never another oblast's
    # namesake — then an empty "choose" option comes first and the specialist picks explicitly.
    home_oblast = near.oblast_id if near is not None else None
    choose_first = bool(units) and (home_oblast is None or units[0].oblast_id != home_oblast)
    return render(request, "persons/_settlement_options.html", {"units": units, "choose_first": choose_first})
