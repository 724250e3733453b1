"""Ukrainian UI for child cases. Thin: parse the form, call one service, render or redirect.

A role without the child-case permission gets 403 (the outsider rule of accounts.access); a children's service of
another territory gets 404, as for a case that does not exist.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hromada.accounts import access
from hromada.audit.services import audited_read
from hromada.core.errors import Conflict, HromadaError, NotFound

from . import forms, rules, selectors, services, workflow
from .models import CaseStatus
from .selectors import STATUS_LABELS
from .workflow import EVENT_LABELS, PLAN_STATES, WORKING_STATES, allowed_actions

PAGE_SIZE = 25


def _today():
    return timezone.localdate().isoformat()


def _error_to_form(form, exc: HromadaError) -> None:
    """Put a service error on the named field when the form has it, else on the form."""
    field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
    name = field.split(".")[-1] if field else None
    if name and name in form.fields:
        form.add_error(name, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


@access.permission_required(selectors.VIEW)
def case_list(request):
    status, urgency, query = request.GET.get("status", "open"), request.GET.get("urgency", ""), request.GET.get("q", "")
    qs = selectors.cases_for(request.user, status=status, urgency=urgency, query=query)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audited_read(actor=request.user, action="childcase.list", objects=page.object_list,
                 object_type="children.childcase", request=request, limit=False,
                 details={"status": status, "urgency": urgency, "searched": bool(query.strip())})
    return render(request, "children/list.html", {
        "page": page, "status": status, "urgency": urgency, "q": query,
        "statuses": list(CaseStatus.choices), "urgencies": rules.urgencies(), "today": timezone.localdate(),
    })


def _rep_forms(data=None):
    return [forms.RepresentativeForm(data, prefix=f"rep{i}") for i in (1, 2)]


def _person_input(cd: dict, *, is_idp=False, phone="") -> services.PersonInput:
    return services.PersonInput(last_name=cd["last_name"], first_name=cd["first_name"],
                                patronymic=cd.get("patronymic", ""), birth_date=cd["birth_date"], sex=cd["sex"],
                                rnokpp=cd.get("rnokpp", ""), phone=phone, is_idp=is_idp)


@access.permission_required(workflow.CHANGE)
def case_new(request):
    hromadas = selectors.hromada_choices(request.user)
    if request.method == "POST":
        form = forms.CaseForm(request.POST, hromadas=hromadas)
        reps = _rep_forms(request.POST)
        if form.is_valid() and all(r.is_valid() for r in reps):
            cd = form.cleaned_data
            try:
                case = services.register_child_case(
                    actor=request.user, child=_person_input(cd, is_idp=cd["is_idp"]), urgency=cd["urgency"],
                    reporter_type=cd["reporter_type"], circumstances=cd["circumstances"], summary=cd["summary"],
                    reported_on=cd["reported_on"], hromada_id=cd.get("hromada"), reporter_name=cd["reporter_name"],
                    reporter_organisation=cd["reporter_organisation"], reporter_phone=cd["reporter_phone"],
                    representatives=[
                        services.RepresentativeInput(role=r.cleaned_data["role"],
                                                     person=_person_input(r.cleaned_data, phone=r.cleaned_data["phone"]))
                        for r in reps if r.has_changed()],
                    request=request)
            except HromadaError as exc:
                _error_to_form(form, exc)
            else:
                messages.success(request, _("Справу %(number)s зареєстровано.") % {"number": case.number})
                return redirect("children:detail", pk=case.pk)
    else:
        form = forms.CaseForm(initial={"reported_on": _today(), "urgency": "planned"}, hromadas=hromadas)
        reps = _rep_forms()
    return render(request, "children/new.html", {"form": form, "reps": reps, "urgencies": rules.urgencies()},
                  status=422 if request.method == "POST" else 200)


def _forms_for(case, bound: dict | None = None) -> dict:
    """The forms the card shows for the case's state (one may come back bound, with errors)."""
    today = _today()
    bound = bound or {}

    def make(name, cls, **kw):
        return bound.get(name) or cls(prefix=name, **kw)

    result = {}
    status = case.status
    if status == CaseStatus.REGISTERED:
        result["start"] = make("start", forms.StartAssessmentForm, initial={"started_on": today})
    if status == CaseStatus.ASSESSMENT:
        if case.assessment.completed_on is None:
            result["assess"] = make("assess", forms.AssessmentForm, initial={"completed_on": today})
        else:
            result["decision"] = make("decision", forms.DecisionForm, initial={"decided_on": today})
    if status == CaseStatus.DECIDED:
        result["plan"] = make("plan", forms.PlanForm, initial={"approved_on": today})
        result["measures"] = bound.get("measures") or forms.MeasureFormSet(prefix="measures")
    if status in PLAN_STATES:
        result["measure"] = make("measure", forms.MeasureForm)
        result["review"] = make("review", forms.ReviewForm, initial={"reviewed_on": today})
    if status in WORKING_STATES:
        result["referral"] = make("referral", forms.ReferralForm, initial={"sent_on": today})
    if status in (CaseStatus.DECIDED, *PLAN_STATES):
        result["close"] = make("close", forms.CloseForm)
    return result


def _render_card(request, pk, bound=None, status=200):
    case = selectors.case_for(request.user, pk)
    audited_read(actor=request.user, action="childcase.view", objects=[case], request=request, limit=False)
    ctx = {
        "case": case, "reporter": selectors.reporter_of(case), "forms": _forms_for(case, bound),
        "actions": allowed_actions(case, request.user),
        "urgency": rules.urgencies().get(case.urgency),
        "reporter_type": rules.reporter_types().get(case.reporter_type, case.reporter_type),
        "circumstances": [rules.circumstances().get(c.code, c.code) for c in case.circumstances.all()],
        "roles": rules.representative_roles(), "outcome": rules.outcomes().get(case.outcome, ""),
        "events": [(e, EVENT_LABELS.get(e.action, e.action), STATUS_LABELS.get(e.to_status, e.to_status))
                   for e in case.events.all()],
        "today": timezone.localdate(), "assessment": getattr(case, "assessment", None),
        "decision": getattr(case, "decision", None), "plan": getattr(case, "plan", None),
        "feedback_forms": {r.pk: (bound or {}).get(f"fb{r.pk}") or forms.FeedbackForm(prefix=f"fb{r.pk}",
                                                                                   initial={"feedback_on": _today()})
                           for r in case.referrals.all() if r.feedback_on is None},
    }
    return render(request, "children/detail.html", ctx, status=status)


@access.permission_required(selectors.VIEW)
def case_detail(request, pk):
    return _render_card(request, pk)


def _step(form_name, form_cls, call, done_message):
    """A POST view: validate ``form_cls``, run ``call(request, pk, cleaned_data, **kw)``; on an error
    show the card again with the form bound and the message on its field."""
    @access.permission_required(workflow.CHANGE)
    @require_POST
    def view(request, pk, **kw):
        prefix = form_name.format(**kw)
        form = form_cls(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                call(request, pk, form.cleaned_data, **kw)
            except NotFound:
                raise
            except Conflict as exc:
                # The case moved on (another step, another user): the form no longer applies.
                messages.error(request, str(exc.message))
                return redirect("children:detail", pk=pk)
            except HromadaError as exc:
                _error_to_form(form, exc)
            else:
                messages.success(request, done_message)
                return redirect("children:detail", pk=pk)
        return _render_card(request, pk, bound={prefix: form}, status=422)
    return view


start_assessment = _step("start", forms.StartAssessmentForm, lambda r, pk, cd: services.start_assessment(
    actor=r.user, case_id=pk, started_on=cd["started_on"], request=r), gettext_lazy("Оцінювання потреб розпочато."))

complete_assessment = _step("assess", forms.AssessmentForm, lambda r, pk, cd: services.complete_assessment(
    actor=r.user, case_id=pk, needs=cd["needs"], findings=cd["findings"], completed_on=cd["completed_on"], request=r),
    gettext_lazy("Оцінювання потреб завершено."))

decide = _step("decision", forms.DecisionForm, lambda r, pk, cd: services.decide_on_circumstances(
    actor=r.user, case_id=pk, in_difficult_circumstances=cd["in_difficult_circumstances"], basis=cd["basis"],
    decided_on=cd["decided_on"], request=r), gettext_lazy("Рішення записано."))

add_measure = _step("measure", forms.MeasureForm, lambda r, pk, cd: services.add_measure(
    actor=r.user, case_id=pk, measure=services.MeasureInput(**cd), request=r), gettext_lazy("Захід додано до плану."))

measure_done = _step("m{measure_id}", forms.MeasureDoneForm, lambda r, pk, cd, measure_id: services.mark_measure_done(
    actor=r.user, case_id=pk, measure_id=measure_id, done_on=cd["done_on"], request=r),
    gettext_lazy("Захід позначено виконаним."))

review = _step("review", forms.ReviewForm, lambda r, pk, cd: services.record_review(
    actor=r.user, case_id=pk, findings=cd["findings"], reviewed_on=cd["reviewed_on"],
    next_review_due=cd["next_review_due"], request=r), gettext_lazy("Перегляд плану записано."))

referral = _step("referral", forms.ReferralForm, lambda r, pk, cd: services.send_referral(
    actor=r.user, case_id=pk, service_name=cd["service_name"], purpose=cd["purpose"], sent_on=cd["sent_on"], request=r),
    gettext_lazy("Направлення записано."))

feedback = _step("fb{referral_id}", forms.FeedbackForm, lambda r, pk, cd, referral_id: services.record_referral_feedback(
    actor=r.user, case_id=pk, referral_id=referral_id, feedback=cd["feedback"], feedback_on=cd["feedback_on"],
    request=r), gettext_lazy("Зворотний зв’язок записано."))

close = _step("close", forms.CloseForm, lambda r, pk, cd: services.close_case(
    actor=r.user, case_id=pk, outcome=cd["outcome"], note=cd["note"], request=r), gettext_lazy("Справу закрито."))


@access.permission_required(workflow.CHANGE)
@require_POST
def approve_plan(request, pk):
    form = forms.PlanForm(request.POST, prefix="plan")
    measures = forms.MeasureFormSet(request.POST, prefix="measures")
    if form.is_valid() and measures.is_valid():
        cd = form.cleaned_data
        try:
            services.approve_case_plan(
                actor=request.user, case_id=pk, goal=cd["goal"], approved_on=cd["approved_on"],
                next_review_due=cd["next_review_due"],
                measures=[services.MeasureInput(**m) for m in measures.cleaned_data if m], request=request)
        except NotFound:
            raise
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect("children:detail", pk=pk)
        except HromadaError as exc:
            _error_to_form(form, exc)
        else:
            messages.success(request, _("План соціального захисту затверджено."))
            return redirect("children:detail", pk=pk)
    return _render_card(request, pk, bound={"plan": form, "measures": measures}, status=422)
