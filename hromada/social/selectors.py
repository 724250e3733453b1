"""Reads of social services. Every read goes through the access layer; views and API handlers audit what they
show (``audit.services.audited_read``). Outside the hromada's social-work staff (and a provider's worker for its
own clients) a social case does not exist (404). Aggregate roles get figures only (``indicator_figures``)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Aggregate, Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.access import AnyUser
from hromada.accounts.models import Role, User
from hromada.core.errors import NotFound
from hromada.core.text import normalize_name
from hromada.persons import selectors as person_selectors

from . import rules
from .models import CaseService, CaseStatus, Delivery, Provider, SocialCase
from .workflow import OPEN_STATES

VIEW = "socialcase.view"
STATUS_LABELS = dict(CaseStatus.choices)


def ensure_social_staff(user: AnyUser) -> None:
    """Roles without the social-case permission meet a 404 on every social-case page and endpoint."""
    if not access.may(user, VIEW):
        raise NotFound()


def provider_of(user: AnyUser) -> Provider | None:
    staff = getattr(user, "social_provider", None) if getattr(user, "is_authenticated", False) else None
    return staff.provider if staff is not None else None


def own_clients(user: User, qs: QuerySet[SocialCase]) -> QuerySet[SocialCase]:
    """The access layer's refine: a provider worker sees only the cases with a service of its own provider."""
    if access.own_provider_only(user):
        return qs.filter(pk__in=CaseService.objects.filter(provider__staff__user=user).values("case_id"))
    return qs


def cases_for(user: User, *, status: str = "", query: str = "", overdue: bool = False) -> QuerySet[SocialCase]:
    ensure_social_staff(user)
    qs = access.visible(user, SocialCase).select_related("person", "hromada", "specialist")
    if status:
        groups = {"open": OPEN_STATES, "to_decide": {CaseStatus.ASSESSED, CaseStatus.PROVIDING}}
        qs = qs.filter(status__in=groups[status]) if status in groups else qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=[CaseStatus.REGISTERED, CaseStatus.ASSESSMENT], assessment_due__lt=timezone.localdate())
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(number__icontains=query) | Q(person__name_key__contains=normalize_name(query)))
    return qs


def case_for(user: User, pk: int) -> SocialCase:
    ensure_social_staff(user)
    qs = (SocialCase.objects.select_related("person", "hromada", "office", "registered_by", "specialist")
          .prefetch_related("requested", "assessments__specialist", "services__provider", "services__deliveries",
                            "referrals", "events__actor"))
    return access.get_visible(user, qs, pk=pk)


def services_for_worker(user: User, case: SocialCase) -> list[CaseService]:
    """The case's services a user may log deliveries for (a provider worker: its own provider's only)."""
    items = list(case.services.all())
    if access.own_provider_only(user):
        provider = provider_of(user)
        items = [s for s in items if provider is not None and s.provider_id == provider.pk]
    return items


def family_applications(user: User, case: SocialCase) -> list:
    """Read-only: the benefit applications of the person (as the user may see them) — case management."""
    if not access.may(user, "application.view"):
        return []
    applications = person_selectors.applications_of(user, case.person)
    if case.application_id:  # the case's own application is shown as its source, not as a family application
        applications = applications.exclude(pk=case.application_id)
    return list(applications[:20])


def household(user: User, case: SocialCase) -> list:
    if not access.may(user, "person.view"):
        return []
    return person_selectors.household_of(user, case.person)


def receipt_for(user: User, pk: int) -> SocialCase:
    """The receipt the front office prints: only a case registered at the user's own desk/office (or visible)."""
    if not access.may(user, "socialcase.intake"):
        raise NotFound()
    qs = SocialCase.objects.select_related("person", "hromada", "office").prefetch_related("requested")
    scope = access.scope_of(user)
    qs = qs.filter(scope.hromada_q("hromada"))
    if user.office_id:
        qs = qs.filter(Q(registered_by__office_id=user.office_id) | Q(registered_by=user))
    else:
        qs = qs.filter(registered_by=user)
    try:
        return qs.get(pk=pk)
    except (SocialCase.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def public_status(number: str, code: str) -> SocialCase | None:
    """The case for the public status check (number + check code), else None. No personal data leaves here."""
    import hmac

    number, code = (number or "").strip(), (code or "").strip().upper().replace("-", "").replace(" ", "")
    if not number or not code:
        return None
    case = SocialCase.objects.filter(number=number).first()
    if case is None or not hmac.compare_digest(case.check_code, code):
        return None
    return case


def public_label(case: SocialCase) -> str:
    """What the public status check says of a case: its stage and the term that runs, no personal data."""
    if case.status in (CaseStatus.REGISTERED, CaseStatus.ASSESSMENT):
        return _("Заяву прийнято, триває оцінювання потреб (строк — до %(d)s).") % {
            "d": case.assessment_due.strftime("%d.%m.%Y")}
    if case.status == CaseStatus.ASSESSED:
        return _("Оцінювання завершено, готується рішення (строк — до %(d)s).") % {
            "d": case.decision_due.strftime("%d.%m.%Y")}
    if case.status in (CaseStatus.PROVIDING, CaseStatus.IN_SERVICE):
        return _("Прийнято рішення про надання соціальних послуг.")
    if case.status == CaseStatus.SUSPENDED:
        return _("Надання послуг тимчасово призупинено.")
    if case.status == CaseStatus.REFUSED:
        return _("Прийнято рішення про відмову. Зверніться до фахівця громади за повідомленням.")
    return _("Справу закрито.")


def public_status_of_application(application_id: int) -> dict | None:
    """For the public status page of applications: the stage of the social case opened from the front office's
    application (the resident checks it with the application's number and code, like any other)."""
    case = SocialCase.objects.filter(application_id=application_id).first()
    if case is None:
        return None
    return {"number": case.number, "status": case.status, "status_label": public_label(case)}


def _cases_with_notice() -> QuerySet[SocialCase]:
    return (SocialCase.objects.select_related("person", "hromada", "office", "application", "decision__decided_by")
            .prefetch_related("services__provider", "assessments"))


def application_case(user: User, application_id: int) -> SocialCase | None:
    """The social case opened from a front-office application, for a user who sees that application (the front
    office that took it hands the result over): NotFound outside the user's scope, None if no case was opened.
    The application's model is reached through the case's foreign key — social never imports applications."""
    application_model = SocialCase._meta.get_field("application").related_model
    access.get_visible(user, application_model, pk=application_id)
    return _cases_with_notice().filter(application_id=application_id).first()


def notice_content(case: SocialCase) -> dict[str, Any]:
    """What the notice of the case's decision says, as ``pdf.notice_pdf`` prints it and the front office's card of
    the application shows it: the outcome, the services with their providers, the ground as the case holds it
    (the specialist's reasons and the needs assessment they rest on) and the legal sources (data)."""
    decision = case.decision
    names, catalog = rules.service_names(), rules.services()
    services = [{"code": s.code, "name": names.get(s.code, s.code), "provider": s.provider.name,
                 "waiting": s.state == CaseService.WAITING, "state_label": str(s.state_label)}
                for s in case.services.all()]
    assessed = [a for a in case.assessments.all() if a.completed_on <= decision.decided_on]
    last = max(assessed, key=lambda a: (a.completed_on, a.pk)) if assessed else None
    bases = list(dict.fromkeys(catalog[s["code"]].legal_basis for s in services if s["code"] in catalog))
    return {
        "kind": "social", "provide": decision.provide, "outcome": "granted" if decision.provide else "refused",
        "outcome_label": _("Надано соціальні послуги") if decision.provide else _("Відмовлено в соціальних послугах"),
        "case_number": case.number, "application_number": case.application.number if case.application_id else "",
        "person": case.person.full_name, "office": str(case.office or case.hromada), "applied_on": case.applied_on,
        "decided_on": decision.decided_on, "decided_by": decision.decided_by.short_name,
        "decided_by_user": decision.decided_by,
        "reason": decision.reason, "services": services,
        "assessment_on": last.completed_on if last else None,
        "needs_identified": last.needs_identified if last else None,
        "payment": decision.payment,
        "payment_label": rules.PAYMENT_LABELS.get(decision.payment, decision.payment) if decision.payment else "",
        "payment_source": rules.rules()["payment"]["source"] if decision.payment else "",
        "legal_basis": "; ".join(bases), "source": rules.rules()["source"],
    }


def application_decision(user: User, application_id: int) -> dict[str, Any] | None:
    """The decision of the social case opened from the application, as its notice says it; None before one."""
    case = application_case(user, application_id)
    if case is None or getattr(case, "decision", None) is None:
        return None
    return notice_content(case)


def application_decisions(user: User, application_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``application_decision`` for many applications at once (a list of results): the decided cases opened from
    those of the applications the user sees, in a fixed number of queries."""
    application_model = SocialCase._meta.get_field("application").related_model
    visible = access.visible(user, application_model).filter(pk__in=list(application_ids)).values("pk")
    cases = _cases_with_notice().filter(application_id__in=visible, decision__isnull=False)
    return {case.application_id: notice_content(case) for case in cases if case.application_id is not None}


def intake_choices() -> dict:
    """What the front office's intake form offers for an application for social services (data)."""
    terms = {k: rules.term(k) for k in ("assessment", "assessment_crisis", "decision")}
    return {"services": rules.service_names(), "urgencies": dict(rules.URGENCIES), "terms": terms,
            "terms_unconfirmed": any(not t.confirmed for t in terms.values())}


def providers_for(user: User) -> QuerySet[Provider]:
    if not access.may(user, "socialprovider.view"):
        return Provider.objects.none()
    return access.visible(user, Provider).select_related("hromada").prefetch_related("offers")


def provider_workers_for(user: User) -> list[User]:
    """The provider workers' accounts of the user's hromada(s), with the provider each is linked to (or none)."""
    if not access.may(user, "socialprovider.manage"):
        return []
    return list(User.objects.filter(role=Role.PROVIDER_WORKER, is_active=True,
                                    territory_id__in=access.scope_of(user).hromada_ids)
                .select_related("social_provider__provider").order_by("last_name", "first_name", "id"))


def provider_loads(providers: Iterable[Provider]) -> dict[int, list[dict]]:
    """For each provider and offered service: capacity, places taken, waiting list (one query for all)."""
    providers = list(providers)
    counts = {(r["provider_id"], r["code"], r["state"]): r["n"] for r in CaseService.objects
              .filter(provider__in=[p.pk for p in providers]).values("provider_id", "code", "state")
              .annotate(n=Count("pk"))}
    names = rules.service_names()
    return {p.pk: [{"code": o.service_code, "name": names.get(o.service_code, o.service_code),
                    "capacity": o.capacity, "active": counts.get((p.pk, o.service_code, CaseService.ACTIVE), 0),
                    "waiting": counts.get((p.pk, o.service_code, CaseService.WAITING), 0)} for o in p.offers.all()]
            for p in providers}


def providers_offering(user: User, code: str) -> list[Provider]:
    return list(providers_for(user).filter(is_active=True, offers__service_code=code).distinct())


def worklist(user: User) -> dict:
    """The social-work specialist's home panel: counts."""
    qs = cases_for(user)
    today = timezone.localdate()
    return {
        "new": qs.filter(status=CaseStatus.REGISTERED).count(),
        "assessment": qs.filter(status=CaseStatus.ASSESSMENT).count(),
        "overdue": qs.filter(status__in=[CaseStatus.REGISTERED, CaseStatus.ASSESSMENT],
                             assessment_due__lt=today).count(),
        "to_decide": qs.filter(status__in=[CaseStatus.ASSESSED, CaseStatus.PROVIDING]).count(),
        "in_service": qs.filter(status=CaseStatus.IN_SERVICE).count(),
        "reassessment_due": qs.filter(status=CaseStatus.IN_SERVICE, plan__next_reassessment_due__lte=today).count(),
    }


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def indicator_figures(where: dict, period_start: date, period_end: date, *, group: str | None = None) -> dict:
    """Aggregate figures over [period_start, period_end] for the hromadas matching ``where`` (lookups on the
    hromada Unit, e.g. ``{"oblast_id": 5}``, ``{"id__in": [...]}``; ``{}`` for the country) — numbers only, no
    personal data, so monitoring may show them to raion, oblast and ministry roles. With ``group`` (a field of
    the hromada Unit: "oblast_id", "raion_id" or "id") the answer is {group value: figures}; else {None: figures}.

    * applications (crisis): cases registered in the period;
    * assessments_due / assessments_on_time (share): first assessments whose term fell in the period, and those
      completed by it;
    * people_served: distinct persons with a delivery in the period; served_by_service: {service: persons};
    * waiting: places on providers' waiting lists now (a stock figure);
    * providers: active providers with at least one service.
    """
    from django.db.models import Value

    start = timezone.make_aware(datetime.combine(period_start, time.min))
    end = _end_of(period_end)

    def scoped(qs: QuerySet[Any], prefix: str) -> QuerySet[Any]:
        return qs.filter(**{f"{prefix}hromada__{k}": v for k, v in where.items()})

    def grouped(qs: QuerySet[Any], prefix: str, **agg: Aggregate) -> dict:
        key = f"{prefix}hromada__{group}" if group else None
        qs = scoped(qs, prefix)
        if key is None:
            return {None: qs.aggregate(**agg)}
        return {r.pop("k"): r for r in qs.annotate(k=F(key)).values("k").annotate(**agg)}

    cases = SocialCase.objects.all()
    new = grouped(cases.filter(registered_at__gte=start, registered_at__lte=end), "",
                  applications=Count("pk"), crisis=Count("pk", filter=Q(urgency=rules.CRISIS)))
    due = grouped(cases.filter(assessment_due__gte=period_start, assessment_due__lte=period_end), "",
                  assessments_due=Count("pk", distinct=True),
                  assessments_on_time=Count("pk", distinct=True, filter=Q(
                      assessments__is_reassessment=False, assessments__completed_on__lte=F("assessment_due"))))
    deliveries = Delivery.objects.filter(delivered_on__gte=period_start, delivered_on__lte=period_end)
    served = grouped(deliveries, "service__case__", people_served=Count("service__case__person_id", distinct=True))
    key = f"service__case__hromada__{group}" if group else None
    by_service: dict = {}
    rows = scoped(deliveries, "service__case__").annotate(
        k=F(key) if key else Value(0)).values("k", "service__code").annotate(
        n=Count("service__case__person_id", distinct=True))
    for r in rows:
        by_service.setdefault(r["k"] if key else None, {})[r["service__code"]] = r["n"]
    waiting = grouped(CaseService.objects.filter(state=CaseService.WAITING), "case__", waiting=Count("pk"))
    providers = grouped(Provider.objects.filter(is_active=True), "", providers=Count("pk"))
    keys = set(new) | set(due) | set(served) | set(waiting) | set(providers) | set(by_service)
    if group is None:
        keys = {None}
    out = {}
    for k in keys:
        n, d = new.get(k, {}), due.get(k, {})
        total, on_time = d.get("assessments_due") or 0, d.get("assessments_on_time") or 0
        out[k] = {
            "applications": n.get("applications") or 0,
            "crisis": n.get("crisis") or 0,
            "assessments_due": total,
            "assessments_on_time": on_time,
            "assessments_on_time_share": round(on_time / total, 4) if total else None,
            "people_served": served.get(k, {}).get("people_served") or 0,
            "served_by_service": by_service.get(k, {}),
            "waiting": waiting.get(k, {}).get("waiting") or 0,
            "providers": providers.get(k, {}).get("providers") or 0,
        }
    return out
