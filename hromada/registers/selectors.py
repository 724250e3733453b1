"""Reads of the registers' checks, the exchange log, the offers and the incomes for the calculators (never write)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Application

from . import adapters, xroad
from .models import ExchangeLog, IncomeCorrection, OfferStatus, ProactiveOffer, Result, Verification


def case(user: User, application_id: int) -> Application:
    """The case if the user sees it (NotFound otherwise: another hromada's case is indistinguishable)."""
    return access.get_visible(user, Application.objects.select_related("service", "hromada"), pk=application_id)


def verifications_for(user: User, application_id: int) -> list[Verification]:
    app = case(user, application_id)
    return list(Verification.objects.filter(application=app).select_related("subject", "overridden_by")
                .order_by("register", "check_code", "id"))


def exchange_log_for(user: User, application_id: int) -> list[ExchangeLog]:
    app = case(user, application_id)
    return list(ExchangeLog.objects.filter(application=app).order_by("sent_at", "id"))


def exchange_log_all(user: User, *, since: date | None = None, until: date | None = None) -> QuerySet[ExchangeLog]:
    """Every exchange over Трембіта (cases' checks and the birth feed), for an audit: auditors only."""
    access.require(user, "audit.view")
    qs = ExchangeLog.objects.select_related("application").order_by("sent_at", "id")
    if since:
        qs = qs.filter(sent_at__date__gte=since)
    if until:
        qs = qs.filter(sent_at__date__lte=until)
    return qs


@dataclass(frozen=True)
class Summary:
    configured: bool
    simulator: bool
    state: str            # unchecked | checked | attention
    label: str


def summary(rows: list[Verification]) -> Summary:
    cfg = xroad.config()
    simulator = cfg.simulator or any(r.via_simulator for r in rows)
    if not rows or any(r.result in (Result.PENDING, Result.UNAVAILABLE) for r in rows):
        return Summary(cfg.configured, simulator, "unchecked", gettext("не перевірено"))
    if any(r.result in (Result.MISMATCH, Result.NOT_FOUND) and not r.override_reason for r in rows):
        return Summary(cfg.configured, simulator, "attention", gettext("є розбіжності"))
    return Summary(cfg.configured, simulator, "checked", gettext("перевірено"))


def as_api(row: Verification) -> dict:
    return {"register": row.register, "check": row.check_code, "result": row.result, "field": row.field,
            "checked_at": row.checked_at, "request_id": row.request_id, "override_reason": row.override_reason}


# --- offers ----------------------------------------------------------------------------------------------------


def offers_for(user: User, *, status: str = "") -> list[ProactiveOffer]:
    qs = access.visible(user, ProactiveOffer).select_related("mother", "application")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-registered_at", "-id")[:200])


def offer_counts(user: User) -> dict:
    """What the monitoring shows: offers made and how many became applications, in the user's scope."""
    qs = access.visible(user, ProactiveOffer)
    counts = qs.aggregate(total=Count("id"), converted=Count("id", filter=Q(status=OfferStatus.CONVERTED)))
    return {"total": counts["total"] or 0, "converted": counts["converted"] or 0}


def offer_figures(user: User) -> list[dict]:
    """Offers made and converted per hromada in the user's scope: figures only (monitoring roles may read them)."""
    access.require(user, "monitoring.view")
    qs = ProactiveOffer.objects.filter(access.scope_of(user).hromada_q("hromada"))
    rows = (qs.values("hromada__name", "hromada__code")
            .annotate(total=Count("id"), converted=Count("id", filter=Q(status=OfferStatus.CONVERTED)))
            .order_by("hromada__name"))
    return [{"hromada": r["hromada__name"], "code": r["hromada__code"], "total": r["total"],
             "converted": r["converted"]} for r in rows]


def offer_for_application(application_id: int) -> ProactiveOffer | None:
    return ProactiveOffer.objects.filter(application_id=application_id).first()


# --- incomes with their provenance (the calculators' pre-fill) ------------------------------------------------


@dataclass(frozen=True)
class IncomeFigure:
    person: str
    quarters: list[dict]
    monthly: Decimal
    source: str


@dataclass
class IncomePrefill:
    figures: list[IncomeFigure] = field(default_factory=list)
    register_monthly: Decimal | None = None      # the family's average monthly income per ДПС
    monthly: Decimal | None = None               # what the calculator takes (the correction if any)
    source: str = ""
    correction: IncomeCorrection | None = None
    checked_at: datetime | None = None


def income_prefill(user: User, application_id: int) -> IncomePrefill:
    """The family's incomes from the tax register (the checks of the case), each with where it came from, and the
    back office's correction if one was made. Empty when no income check has answered."""
    app = case(user, application_id)
    rows = [r for r in Verification.objects.filter(application=app, check_code="incomes").select_related("subject")
            if r.result in (Result.MATCH, Result.MISMATCH) and r.details.get("incomes") is not None]
    out = IncomePrefill()
    if rows:
        total = Decimal(0)
        for r in rows:
            monthly = Decimal(r.details.get("monthly") or "0")
            total += monthly
            where = gettext("тестовий реєстр") if r.via_simulator else gettext("ДПС через Трембіту")
            out.figures.append(IncomeFigure(
                person=r.subject.full_name if r.subject_id else "", quarters=r.details.get("incomes") or [],
                monthly=monthly,
                source=gettext("%(where)s, запит %(request)s, %(at)s") % {
                    "where": where, "request": r.request_id, "at": f"{r.checked_at:%d.%m.%Y %H:%M}"}
                if r.checked_at else where))
        out.register_monthly = total.quantize(Decimal("0.01"))
        out.monthly = out.register_monthly
        out.checked_at = max((r.checked_at for r in rows if r.checked_at), default=None)
        out.source = gettext("Державний реєстр фізичних осіб — платників податків (ДПС), середньомісячний дохід за "
                             "%(n)s останні квартали") % {"n": adapters.INCOME_QUARTERS}
    correction = IncomeCorrection.objects.filter(application=app).select_related("corrected_by").first()
    if correction is not None:
        out.correction, out.monthly = correction, correction.monthly_income
        out.source = gettext("виправлено фахівцем (%(who)s): %(reason)s") % {
            "who": correction.corrected_by.short_name, "reason": correction.reason}
    return out


def calculator_prefill(user: User, app: Application) -> dict:
    """Calculator field → value taken from the registers (the low-income calculator's family income)."""
    if app.service.code not in adapters.INCOME_SERVICES:
        return {}
    prefill = income_prefill(user, app.pk)
    return {"income": f"{prefill.monthly:.2f}"} if prefill.monthly is not None else {}
