"""Ukrainian monitoring UI: dashboards with drill-down, onboarding tracker, workplaces. Views are thin:
parse, ask selectors (which read only aggregates), render; writes go through one service each."""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hromada.accounts import access
from hromada.core.errors import HromadaError, NotFound, ValidationFailed
from hromada.core.exports import Column
from hromada.core.pdf import fmt_money
from hromada.territory.models import Category, Unit

from . import aggregates, indicators, progress, selectors, services, tasks
from .exports import export_table
from .models import STEP_ORDER, EquipmentStatus, EquipmentType, FundingSource, OnboardingStepCode, WorkplaceStatus
from .periods import Period, add_months, current_month, month_period, parse_period

DEFAULT_RANKING = "on_time_share"
# Columns of the child-unit table on screen (the export has every indicator).
TABLE_COLUMNS = ["accepted", "decided", "on_time_share", "median_days", "overdue", "unissued",
                 "front_office_hromadas", "front_office_coverage", "workplaces_equipped"]
PAGE_SIZE = 50


def _period(request) -> tuple[Period, str]:
    try:
        return parse_period(request.GET.get("period")), ""
    except HromadaError as exc:
        return parse_period(None), str(exc.message)


def _fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{number_format(value, use_l10n=True)}%"        # 12,5% in Ukrainian, 12.5% in English
    if unit == "UAH":
        return fmt_money(value)                                  # as on the billing pages and acts
    return f"{value:,}".replace(",", " ") if isinstance(value, int) else number_format(value, use_l10n=True)


def _area_url(area) -> str:
    if area.level in ("country", "served"):
        return reverse("monitoring:dashboard")
    return reverse("monitoring:area", args=[area.level, area.code])


def _unit_area_url(unit: Unit) -> str:
    level = {Category.OBLAST: "oblast", Category.SPECIAL_CITY: "oblast", Category.RAION: "raion",
             Category.HROMADA: "hromada"}[unit.category]
    return reverse("monitoring:area", args=[level, unit.code])


def _area_title(area) -> str:
    if area.level == "country":
        return _("Україна")
    if area.level == "served":
        return _("Громади, які обслуговує ваш бек-офіс")
    return area.unit.full_name


def _table(rows: list[selectors.Row], codes: list[str]) -> list[dict]:
    out = []
    for r in rows:
        out.append({"unit": r.unit, "url": _unit_area_url(r.unit),
                    "cells": [_fmt(r.values[c], indicators.BY_CODE[c].unit) for c in codes]})
    return out


def _kind(indicator) -> str:
    return "money" if indicator.unit == "UAH" else "int" if indicator.unit == "count" else "decimal"


def _export(request, area, period, table: str, rows_by_table):
    """?export=csv|xlsx&table=children|best|worst|series|cards — any table of the page as a file."""
    fmt = request.GET.get("export", "")
    headers, rows = rows_by_table()
    name = f"monitoring-{table}-{area.code or 'UA'}-{period.code}"
    return export_table(request, name=name, fmt=fmt, headers=headers, rows=rows,
                        details={"area": area.code or area.level, "period": period.code, "table": table})


def _export_or_back(request, *, name: str, fmt: str, headers: list, rows: list):
    try:
        return export_table(request, name=name, fmt=fmt, headers=headers, rows=rows, details={"table": name})
    except HromadaError as exc:
        messages.error(request, exc.message)
        return redirect(request.path)


def _dashboard(request, area):
    period, period_error = _period(request)
    indicator = indicators.get(request.GET.get("indicator", DEFAULT_RANKING)) or indicators.BY_CODE[DEFAULT_RANKING]
    months = sorted(set(period.reported_months) | set(aggregates.series_months(period.stock_month)))
    base = aggregates.bases(area, period)[None]
    values = indicators.values(base)
    table = request.GET.get("table", "")
    all_codes = [i.code for i in indicators.INDICATORS]
    all_headers = [Column(i.code, i.name, _kind(i)) for i in indicators.INDICATORS]

    if request.GET.get("export"):
        def rows_for_table():
            if table == "cards":
                return ([Column("indicator", _("Показник")), Column("value", _("Значення"), "decimal"),
                         Column("unit", _("Одиниця"))],
                        [[i.name, values[i.code], i.unit] for i in indicators.INDICATORS])
            if table == "series":
                data = aggregates.series(area, period.stock_month)
                return ([Column("month", _("Місяць")), Column("accepted", _("Прийнято заяв"), "int"),
                         Column("decided", _("Прийнято рішень"), "int"), Column("on_time", _("Рішень у строк"), "int"),
                         Column("overdue", _("Прострочено"), "int")],
                        [[f"{r['month']:%Y-%m}", r["accepted"], r["decided"], r["on_time"], r["overdue"]]
                         for r in data])
            if table == "children":
                rows = selectors.child_rows(area, period)
            elif table in ("best", "worst"):
                best, worst = selectors.ranking(area, period, indicator)
                rows = best if table == "best" else worst
            else:
                raise NotFound()
            return ([Column("katottg_code", _("Код КАТОТТГ")), Column("name", _("Назва"))] + all_headers,
                    [[r.unit.code, r.unit.name] + [r.values[c] for c in all_codes] for r in rows])
        try:
            return _export(request, area, period, table, rows_for_table)
        except HromadaError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)

    series = aggregates.series(area, period.stock_month)
    chart = {
        "labels": [f"{r['month']:%m.%Y}" for r in series],
        "accepted": [r["accepted"] for r in series], "decided": [r["decided"] for r in series],
        "on_time": [float(indicators.share(r["on_time"], r["decided"]) or 0) if r["decided"] else None
                    for r in series],
        "overdue": [r["overdue"] for r in series],
        "names": {"accepted": _("Прийнято заяв"), "decided": _("Прийнято рішень"),
                  "on_time": _("Рішення у строк, %"), "overdue": _("Прострочено на кінець місяця")},
    }
    children = selectors.child_rows(area, period)
    best, worst = selectors.ranking(area, period, indicator)
    column_names = [indicators.BY_CODE[c].name for c in TABLE_COLUMNS]
    context = {
        "area": area, "title": _area_title(area), "crumbs": [(u, _unit_area_url(u)) for u in selectors.breadcrumbs(area)],
        "period": period, "period_error": period_error, "indicator": indicator,
        "periods": _period_choices(period), "ranking_choices": indicators.INDICATORS,
        "cards": [{"i": i, "value": _fmt(values[i.code], i.unit)} for i in indicators.INDICATORS],
        "chart": chart, "child_level": aggregates.CHILD_LEVEL[area.level],
        "children": _table(children, TABLE_COLUMNS), "columns": column_names,
        "best": _table(best, [indicator.code, "accepted", "decided"]),
        "worst": _table(worst, [indicator.code, "accepted", "decided"]),
        "ranking_columns": [indicator.name, indicators.BY_CODE["accepted"].name, indicators.BY_CODE["decided"].name],
        "may_refresh": access.may(request.user, "monitoring.refresh"),
        "freshness": aggregates.freshness(months),
        "job": progress.state(request.GET.get("refresh", "")),
        "base": base, "home_url": reverse("monitoring:dashboard"), "self_url": _area_url(area),
    }
    return render(request, "monitoring/dashboard.html", context)


def _period_choices(current: Period) -> list[Period]:
    """Recent months, quarters and years for the selector (any period can still be typed in the URL)."""
    now = current_month()
    months = [month_period(add_months(now, -i)) for i in range(12)]
    quarters, q = [], Period("quarter", now.year, (now.month - 1) // 3 + 1)
    for _i in range(4):
        quarters.append(q)
        q = q.previous()
    years = [Period("year", now.year - i) for i in range(3)]
    choices = months + quarters + years
    if current not in choices:
        choices.insert(0, current)
    return choices


@access.permission_required("monitoring.view")
def dashboard(request):
    return _dashboard(request, selectors.home_area(request.user))


@access.permission_required("monitoring.view")
def area(request, level: str, code: str):
    try:
        found = selectors.resolve_area(request.user, level, code)
    except HromadaError as exc:
        if exc.status == 422:
            raise Http404() from None
        raise
    return _dashboard(request, found)


@access.permission_required("monitoring.refresh")
@require_POST
def refresh(request):
    """The ministry asks for a rebuild of a period's aggregates now (normally the Celery beat does it): the rebuild
    is queued as a task, the request only asks for it."""
    try:
        period = parse_period(request.POST.get("period"))
        job_id = progress.new_job(period.code, len(period.reported_months))
        tasks.refresh_aggregates.delay(period.code, job_id)
        messages.success(request, _("Перерахунок показників за %(period)s поставлено в чергу: оновлені дані "
                                    "з’являться за кілька хвилин.") % {"period": period.label})
    except HromadaError as exc:
        messages.error(request, exc.message)
    else:
        nxt = request.POST.get("next", "")
        target = nxt if nxt.startswith("/monitoring/") else reverse("monitoring:dashboard")
        return redirect(f"{target}{'&' if '?' in target else '?'}refresh={job_id}")
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/monitoring/") else reverse("monitoring:dashboard"))


@access.permission_required("monitoring.refresh")
def refresh_progress(request, job_id: str):
    """The progress bar of an on-demand rebuild (polled by the dashboard until done)."""
    return render(request, "monitoring/_refresh.html", {"job": progress.state(job_id)})


# ---- onboarding ----------------------------------------------------------------------------------------------

@access.permission_required("monitoring.view")
def onboarding(request):
    summary = selectors.onboarding_by_oblast(request.user)
    if fmt := request.GET.get("export"):
        headers = [Column("katottg_code", _("Код КАТОТТГ")), Column("oblast", _("Область")),
                   Column("hromadas", _("Громад"), "int")] + [Column(str(s), str(OnboardingStepCode(s).label), "int")
                                                                for s in STEP_ORDER]
        rows = [[r["oblast"].code, r["oblast"].name, r["hromadas"]] + [n for _s, n in r["steps"]] for r in summary]
        return _export_or_back(request, name="monitoring-onboarding-by-oblast", fmt=fmt, headers=headers, rows=rows)
    oblast = None
    if code := request.GET.get("oblast"):
        oblast = next((r["oblast"] for r in summary if r["oblast"].code == code), None)
    hromadas = selectors.onboarding_table(request.user, oblast=oblast, query=request.GET.get("q", ""))
    page = Paginator(hromadas, PAGE_SIZE).get_page(request.GET.get("page"))
    steps = selectors.steps_for(request.user, [u.pk for u in page])
    rows = [{"unit": u, "steps": [steps.get(u.pk, {}).get(s) for s in STEP_ORDER]} for u in page]
    totals = {"hromadas": sum(r["hromadas"] for r in summary),
              "steps": [sum(dict(r["steps"])[s] for r in summary) for s in STEP_ORDER]}
    return render(request, "monitoring/onboarding.html", {
        "summary": summary, "rows": rows, "page": page, "oblast": oblast, "q": request.GET.get("q", ""),
        "step_labels": [OnboardingStepCode(s).label for s in STEP_ORDER], "totals": totals,
        "may_record": access.may(request.user, "onboarding.record"),
    })


@access.permission_required("monitoring.view")
def onboarding_hromada(request, code: str):
    if request.method == "POST":        # the role first, then the hromada (outsider rule)
        access.require(request.user, "onboarding.record")
    unit = selectors.hromada_for(request.user, code)
    error = ""
    may_record = access.may(request.user, "onboarding.record")
    if request.method == "POST":
        try:
            services.record_onboarding_step(actor=request.user, hromada=unit, step=request.POST.get("step", ""),
                                            done_on=_date(request.POST.get("done_on")),
                                            note=request.POST.get("note", ""), request=request)
            messages.success(request, _("Етап зафіксовано."))
            return redirect("monitoring:onboarding_hromada", code=unit.code)
        except HromadaError as exc:
            error = exc.message
    steps = selectors.steps_for(request.user, [unit.pk]).get(unit.pk, {})
    return render(request, "monitoring/onboarding_hromada.html", {
        "unit": unit, "error": error, "may_record": may_record,
        "steps": [(OnboardingStepCode(s), steps.get(s)) for s in STEP_ORDER],
        "step_choices": OnboardingStepCode.choices,
    })


def _date(text) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationFailed(_("Вкажіть дату у форматі РРРР-ММ-ДД."), code="invalid_date") from None


# ---- workplaces ----------------------------------------------------------------------------------------------

@access.permission_required("monitoring.view")
def workplaces(request):
    may_plan = access.may(request.user, "workplace.plan")
    error = ""
    if request.method == "POST":
        access.require(request.user, "workplace.plan")
        try:
            _set_plan_form(request)
            messages.success(request, _("План збережено."))
            return redirect("monitoring:workplaces")
        except HromadaError as exc:
            error = exc.message
    plan = selectors.plan_vs_actual(request.user)
    if fmt := request.GET.get("export"):
        headers = [Column("katottg_code", _("Код КАТОТТГ")), Column("oblast", _("Область")),
                   Column("planned", _("План"), "int"), Column("equipped", _("Облаштовано"), "int"),
                   Column("share", _("Виконання, %"), "decimal")]
        rows = [[r["oblast"].code, r["oblast"].name, r["planned"], r["equipped"], r["share"]] for r in plan["rows"]]
        return _export_or_back(request, name="monitoring-workplaces-plan", fmt=fmt, headers=headers, rows=rows)
    scope = access.scope_of(request.user)
    hromadas = []
    if scope.level == "hromadas":
        hromadas = list(Unit.objects.filter(pk__in=scope.hromada_ids).order_by("name"))
    return render(request, "monitoring/workplaces.html", {"plan": plan, "hromadas": hromadas, "may_plan": may_plan,
                                                          "error": error})


def _set_plan_form(request) -> None:
    code = request.POST.get("oblast", "")
    oblast = None
    if code:
        oblast = Unit.objects.filter(code=code, category__in=(Category.OBLAST, Category.SPECIAL_CITY)).first()
        if oblast is None:
            raise ValidationFailed(_("Область не знайдено."), code="unknown_unit")
    try:
        planned = int(request.POST.get("planned", ""))
    except ValueError:
        raise ValidationFailed(_("План — ціле число робочих місць."), code="invalid_plan") from None
    services.set_workplace_plan(actor=request.user, oblast=oblast, planned=planned,
                                note=request.POST.get("note", ""), request=request)


@access.permission_required("monitoring.view")
def workplaces_hromada(request, code: str):
    if request.method == "POST":        # the role first, then the hromada (outsider rule)
        access.require(request.user, "workplace.record")
    unit = selectors.hromada_for(request.user, code)
    may_record = access.may(request.user, "workplace.record")
    error = ""
    if request.method == "POST":
        try:
            _record_workplace_form(request, unit)
            messages.success(request, _("Збережено."))
            return redirect("monitoring:workplaces_hromada", code=unit.code)
        except HromadaError as exc:
            error = exc.message
    items = list(selectors.workplaces(request.user, hromada=unit))
    return render(request, "monitoring/workplaces_hromada.html", {
        "unit": unit, "items": items, "offices": selectors.front_offices_for(request.user, unit),
        "may_record": may_record, "error": error, "form": request.POST if error else {},
        "statuses": WorkplaceStatus.choices, "funding": FundingSource.choices, "types": EquipmentType.choices,
        "equipment_statuses": EquipmentStatus.choices,
    })


def _record_workplace_form(request, unit: Unit) -> None:
    """One of three forms: a new workplace, a workplace status, a new item of equipment."""
    p = request.POST
    kind = p.get("form")
    if kind == "workplace":
        office = selectors.front_offices_for(request.user, unit).filter(pk=p.get("office") or 0).first()
        if office is None:
            raise NotFound(_("Фронт-офіс не знайдено."))
        services.add_workplace(actor=request.user, office=office, inventory_number=p.get("inventory_number", ""),
                               funding_source=p.get("funding_source", ""), label=p.get("label", ""),
                               status=p.get("status", WorkplaceStatus.PLANNED),
                               equipped_on=_date(p["equipped_on"]) if p.get("equipped_on") else None, request=request)
    elif kind == "status":
        w = selectors.workplace_for(request.user, p.get("workplace") or 0)
        services.set_workplace_status(actor=request.user, workplace=w, status=p.get("status", ""),
                                      equipped_on=_date(p["equipped_on"]) if p.get("equipped_on") else None,
                                      request=request)
    elif kind == "equipment":
        w = selectors.workplace_for(request.user, p.get("workplace") or 0)
        services.add_equipment(actor=request.user, workplace=w, type=p.get("type", ""),
                               serial_number=p.get("serial_number", ""), inventory_number=p.get("inventory_number", ""),
                               funding_source=p.get("funding_source", ""), delivered_on=_date(p.get("delivered_on")),
                               model_name=p.get("model_name", ""), request=request)
    else:
        raise NotFound()


def _social_url(unit: Unit | None) -> str:
    if unit is None:
        return reverse("monitoring:social")
    level = {Category.OBLAST: "oblast", Category.SPECIAL_CITY: "oblast", Category.RAION: "raion",
             Category.HROMADA: "hromada"}[unit.category]
    return reverse("monitoring:social_area", args=[level, unit.code])


SOCIAL_COLUMNS = [("applications", gettext_lazy("Заяв на соціальні послуги"), "int"),
                  ("crisis", gettext_lazy("з них у кризовій ситуації"), "int"),
                  ("assessments_due", gettext_lazy("Оцінювань потреб зі строком у періоді"), "int"),
                  ("assessments_on_time", gettext_lazy("Проведено у строк"), "int"),
                  ("assessments_on_time_share", gettext_lazy("Частка оцінювань у строк, %"), "decimal"),
                  ("people_served", gettext_lazy("Отримали послуги (осіб)"), "int"),
                  ("waiting", gettext_lazy("У черзі очікування"), "int"),
                  ("providers", gettext_lazy("Надавачів послуг"), "int")]


def _social_export(request, area, period, figures):
    """?export=csv|xlsx: the area's total and one row per child unit, every indicator and the people served per
    service — figures only (no case, no person), as on the page."""
    names = _social_service_names()
    headers = [Column("unit_code", _("Код КАТОТТГ")), Column("unit_name", _("Назва"))]
    headers += [Column(code, str(label), kind) for code, label, kind in SOCIAL_COLUMNS]
    headers += [Column(f"served_{code}", _("Отримали: %(service)s") % {"service": name}, "int")
                for code, name in names.items()]

    def row(code, name, v):
        share = v["assessments_on_time_share"]
        return ([code, name] + [round(share * 100, 1) if c == "assessments_on_time_share" and share is not None
                                else v[c] for c, _label, _kind in SOCIAL_COLUMNS]
                + [v["served_by_service"].get(c, 0) for c in names])

    rows = [row(area.code or "UA", str(_area_title(area)), figures["total"])]
    rows += [row(r.unit.code, r.unit.name, r.values) for r in figures["rows"]]
    return _export_or_back(request, name=f"social-services-{area.code or 'UA'}-{period.code}",
                           fmt=request.GET.get("export", ""), headers=headers, rows=rows)


def _social(request, area):
    period, period_error = _period(request)
    figures = selectors.social_services(area, period)
    if request.GET.get("export"):
        return _social_export(request, area, period, figures)
    share = figures["total"]["assessments_on_time_share"]
    return render(request, "monitoring/social.html", {
        "area": area, "title": _area_title(area), "period": period, "period_error": period_error,
        "periods": _period_choices(period), "total": figures["total"],
        "share": None if share is None else round(share * 100, 1),
        "rows": [{"unit": r.unit, "url": _social_url(r.unit), "v": r.values,
                  "share": None if r.values["assessments_on_time_share"] is None
                  else round(r.values["assessments_on_time_share"] * 100, 1)} for r in figures["rows"]],
        "child_level": aggregates.CHILD_LEVEL[area.level],
        # Every service with its count — 0 where nobody was served (an empty cell read as "unknown").
        "served": [(name, figures["total"]["served_by_service"].get(code, 0))
                   for code, name in _social_service_names().items()],
        "crumbs": [(u, _social_url(u)) for u in selectors.breadcrumbs(area)],
    })


def _social_service_names() -> dict:
    from hromada.social import rules

    return rules.service_names()


@access.permission_required("monitoring.view")
def social(request):
    """Social services (Law «Про соціальні послуги»): applications, assessments on time, people served per service
    and waiting lists — figures only, for the user's area and its parts."""
    return _social(request, selectors.home_area(request.user))


@access.permission_required("monitoring.view")
def social_area(request, level: str, code: str):
    try:
        found = selectors.resolve_area(request.user, level, code)
    except HromadaError:
        # An unknown unit answers like one outside the scope: probing must not tell them apart.
        raise NotFound() from None
    return _social(request, found)
