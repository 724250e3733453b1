"""Billing UI: periods with run/close and progress, drill-down, the hromada's acts, budget, tariffs. Thin views."""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.catalog.models import ServiceType
from hromada.core.errors import HromadaError
from hromada.territory.models import Unit

from . import charts, selectors, services


class RunForm(forms.Form):
    period = forms.CharField(label=_("Місяць"), widget=forms.DateInput(attrs={"type": "month"}))


class TariffForm(forms.Form):
    service_code = forms.ChoiceField(label=_("Послуга"), required=False)
    amount = forms.CharField(label=_("Сума за одну заяву, грн"), help_text=_("Наприклад 50,00"))
    effective_from = forms.DateField(label=_("Діє з"), widget=forms.DateInput(attrs={"type": "date"}))
    basis = forms.CharField(label=_("Підстава"), max_length=255)

    def __init__(self, *args, services_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = [("", _("Типовий тариф (усі послуги)")), *services_choices]


class BudgetForm(forms.Form):
    allocated = forms.CharField(label=_("Передбачено на рік, грн"))
    basis = forms.CharField(label=_("Підстава"), max_length=255)


@access.permission_required("billing.view")
def periods(request):
    user = request.user
    context = {"periods": selectors.periods(user), "may_run": access.may(user, "billing.run"),
               "form": RunForm(initial={"period": timezone.localdate().strftime("%Y-%m")}),
               "acts": selectors.visible_acts(user) if not access.may(user, "billing.run") else []}
    return render(request, "billing/periods.html", context)


@access.permission_required("billing.run")
@require_POST
def run(request):
    form = RunForm(request.POST)
    period = form.data.get("period", "")
    try:
        billing_run = services.request_billing_run(actor=request.user, period=period)
    except HromadaError as exc:
        if request.headers.get("HX-Request"):
            return render(request, "billing/_error.html", {"message": exc.message}, status=200)
        messages.error(request, exc.message)
        return redirect("billing:periods")
    billing_run.refresh_from_db()
    if request.headers.get("HX-Request"):
        return _run_fragment(request, billing_run)
    return redirect("billing:period", period=billing_run.period.key)


@access.permission_required("billing.run")
def run_progress(request, run_id):
    return _run_fragment(request, selectors.run_status(request.user, run_id))


def _run_fragment(request, billing_run):
    """The run's status line; once the run has ended, the page's list of periods is told to read itself again
    (``billing-run-done``): the period just run appears in it, with its figures, without a reload."""
    response = render(request, "billing/_run.html", {"run": billing_run})
    if not billing_run.is_active:
        response["HX-Trigger"] = "billing-run-done"
    return response


@access.permission_required("billing.run")
@require_POST
def close(request, period):
    try:
        services.close_billing_period(actor=request.user, period=period, request=request)
        messages.success(request, _("Період закрито: його рядки більше не змінюються."))
    except HromadaError as exc:
        messages.error(request, exc.message)
    return redirect("billing:period", period=period)


def _int(value):
    try:
        return int(value) if value else None
    except ValueError:
        return None


@access.permission_required("billing.view")
def period_detail(request, period):
    user = request.user
    try:
        summary = selectors.period_summary(user, period)
    except HromadaError:
        raise Http404 from None
    oblast_id, raion_id = _int(request.GET.get("oblast")), _int(request.GET.get("raion"))
    level = "hromada" if raion_id else "raion" if oblast_id else "oblast"
    crumbs = Unit.objects.in_bulk([i for i in (oblast_id, raion_id) if i])
    row = selectors.period_row(period)
    last_run = row.runs.first() if row else None
    context = {
        "summary": summary, "key": summary["period"], "level": level,
        "rows": selectors.drilldown(user, period, oblast_id=oblast_id, raion_id=raion_id),
        "oblast": crumbs.get(oblast_id), "raion": crumbs.get(raion_id), "run": last_run,
        "may_run": access.may(user, "billing.run"),
        "api_base": reverse("api:list_acts", kwargs={"period": summary["period"]}).rsplit("/acts", 1)[0],
    }
    return render(request, "billing/period.html", context)


@access.permission_required("billing.run")
def budget(request):
    user = request.user
    year = _int(request.GET.get("year")) or timezone.localdate().year
    status = selectors.budget_status(year)
    line = status["line"]
    initial = {"allocated": f"{line.allocated:.2f}", "basis": line.basis} if line else {}
    form = BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_budget_line(actor=user, year=year, allocated=form.cleaned_data["allocated"],
                                     basis=form.cleaned_data["basis"], request=request)
            messages.success(request, _("Бюджетну програму збережено."))
            return redirect(f"{reverse('billing:budget')}?year={year}")
        except HromadaError as exc:
            form.add_error("allocated", exc.message)
    return render(request, "billing/budget.html", {"status": status, "year": year, "form": form,
                                                   "chart": charts.budget_svg(status)})


@access.permission_required("billing.view")
def tariffs(request):
    user = request.user
    choices = [(s.code, s.name) for s in ServiceType.objects.order_by("ordering", "code")]
    form = TariffForm(request.POST or None, services_choices=choices)
    if request.method == "POST":
        access.require(user, "billing.tariffs")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_tariff(actor=user, amount=data["amount"], effective_from=data["effective_from"],
                                    basis=data["basis"], service_code=data["service_code"] or None, request=request)
                messages.success(request, _("Тариф встановлено."))
                return redirect("billing:tariffs")
            except HromadaError as exc:
                form.add_error(None, exc.message)
    return render(request, "billing/tariffs.html", {"tariffs": selectors.tariffs(user), "form": form,
                                                    "may_set": access.may(user, "billing.tariffs")})


class ItemFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Стан"), required=False, choices=[
        ("", _("усі")), ("paid", _("оплачується")), ("excluded", _("виключено")), ("duplicate", _("повторна")),
        ("adjustment", _("коригування"))])
    service_code = forms.ChoiceField(label=_("Послуга"), required=False)
    number = forms.CharField(label=_("Номер заяви (частина)"), required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = [("", _("усі"))] + [
            (s.code, s.name) for s in ServiceType.objects.order_by("ordering", "code")]


ITEMS_PAGE = 50


@access.permission_required("billing.view")
def items(request, period, code):
    """A hromada's line of a period down to its applications; the ministry excludes or re-includes from here."""
    user = request.user
    form = ItemFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        unit = selectors.items_hromada(user, period, code)
        rows = selectors.hromada_items(user, period, code, state=data.get("state") or "",
                                       service_code=data.get("service_code") or "", number=data.get("number") or "")
    except HromadaError:   # a hromada or period outside the scope, or none such: not found
        raise Http404 from None
    key = selectors.parse_period_key(period)
    page = Paginator(rows, ITEMS_PAGE).get_page(request.GET.get("page"))
    audited_read(actor=user, action="billing.items_view", object_type="billing.billingperiod", object_id=key,
                 request=request, limit=False, details={"hromada": code, "rows": len(page.object_list),
                                                        "page": page.number})
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    totals = {state: sum(1 for r in rows if r["state"] == state) for state in selectors.ITEM_STATES}
    row = selectors.period_row(key)
    return render(request, "billing/items.html", {
        "key": key, "unit": unit, "form": form, "page": page, "query": urlencode(query), "totals": totals,
        "run": row.runs.first() if row else None,
        "amount": sum((r["amount"] for r in rows), selectors.ZERO), "period": row,
        "may_run": access.may(user, "billing.run"),
        "api": reverse("api:list_items", kwargs={"period": key, "code": code}),
    })


@access.permission_required("billing.run")
@require_POST
def exclusion(request, period, code):
    """Exclude (``action=exclude``) or re-include (``action=include``) one application, with the reason."""
    number, reason = request.POST.get("number", ""), request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "include":
            services.include_application_by_number(actor=request.user, number=number, reason=reason, request=request)
            messages.success(request, _("Заяву %(n)s повернуто до оплати; розрахунок оновлюється.") % {"n": number})
        else:
            services.exclude_application_by_number(actor=request.user, number=number, reason=reason, request=request)
            messages.success(request, _("Заяву %(n)s виключено з оплати; розрахунок оновлюється.") % {"n": number})
    except HromadaError as exc:
        messages.error(request, exc.message)
    back = reverse("billing:items", kwargs={"period": period, "code": code})
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith(back) else back)
