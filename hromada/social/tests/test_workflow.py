"""Each step through the services: deadlines in working days (crisis: 1), assessment form, decision with the
provider's capacity and waiting list, plan with consent, deliveries, reassessment, suspension, referral, closure."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from hromada.catalog.models import Holiday
from hromada.core.errors import ValidationFailed
from hromada.social import rules, services, workflow
from hromada.social.models import CaseService, CaseStatus, Event, SocialCase

from .conftest import assess, sections

pytestmark = pytest.mark.django_db


def test_assessment_term_is_five_working_days_and_one_in_crisis(demo):
    friday = date(2026, 12, 4)
    assert rules.assessment_due(friday, "normal") == date(2026, 12, 11)      # Mon..Fri of the next week
    assert rules.assessment_due(friday, "crisis") == date(2026, 12, 7)       # the next working day, Monday
    assert rules.decision_due(friday) == date(2026, 12, 18)


def test_terms_skip_holidays_from_the_calendar(demo):
    friday = date(2026, 12, 4)
    Holiday.objects.update_or_create(date=date(2026, 12, 7), defaults={"name": "Тестовий вихідний",
                                                                       "is_day_off": True})
    assert rules.assessment_due(friday, "crisis") == date(2026, 12, 8)
    assert rules.assessment_due(friday, "normal") == date(2026, 12, 14)


def test_registration_sets_terms_and_routes_to_hromada_centre(resident, front):
    applied = timezone.localdate() - timedelta(days=1)
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="crisis", applied_on=applied)
    assert case.assessment_due == rules.assessment_due(applied, "crisis")
    assert case.decision_due == rules.decision_due(applied)
    assert case.office.name.startswith("Центр надання соціальних послуг")
    assert Event.objects.filter(case=case, action="register").exists()
    with pytest.raises(ValidationFailed) as exc:
        services.register_social_case(actor=front, person_id=resident.pk, service_codes=["day_care"],
                                      urgency="normal")
    assert exc.value.code == "case_already_open"


def test_assessment_form_requires_every_section_and_scale(resident, front, social):
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal")
    partial = sections()
    partial.pop("housing")
    with pytest.raises(ValidationFailed) as exc:
        assess(social, case, sections=partial)
    assert exc.value.code == "section_required"
    with pytest.raises(ValidationFailed) as exc:
        assess(social, case, sections={**sections(), "risks": services.SectionInput(7)})
    assert exc.value.code == "invalid_score"
    a = assess(social, case, home_visit_on=timezone.localdate(), home_visit_note="Візит")
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED and case.specialist == social
    assert a.needs_identified and a.home_visit_on and a.on_time


def test_an_assessment_made_between_a_day_off_registration_and_the_legal_date_stands(resident, front, social):
    """Handed in on a Saturday, the application's legal date (and the case's ``applied_on``) is Monday: the social
    worker who assesses on the Saturday or the Sunday is not refused; a day before the registration still is."""
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="crisis")
    today = timezone.localdate()
    SocialCase.objects.filter(pk=case.pk).update(applied_on=today + timedelta(days=2))   # registered on a day off
    with pytest.raises(ValidationFailed) as exc:
        assess(social, case, completed_on=today - timedelta(days=1))
    assert exc.value.code == "date_before_application"
    assert assess(social, case, completed_on=today).completed_on == today


def test_late_assessment_is_recorded_as_late(resident, front, social):
    applied = timezone.localdate() - timedelta(days=30)
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal", applied_on=applied)
    assert assess(social, case).on_time is False


def test_no_need_cannot_be_provided(resident, front, social, centre):
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal")
    assess(social, case, recommended=())
    with pytest.raises(workflow.IllegalTransition):
        services.decide(actor=social, case_id=case.pk, outcome="provide", reason="x",
                        services=[services.ServiceChoice("home_care", centre.pk)])


def test_provider_must_offer_the_service(resident, front, social, ngo):
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal")
    assess(social, case)
    with pytest.raises(ValidationFailed) as exc:
        services.decide(actor=social, case_id=case.pk, outcome="provide", reason="x",
                        services=[services.ServiceChoice("home_care", ngo.pk)])
    assert exc.value.code == "provider_not_offering"


def test_full_provider_puts_on_waiting_list_and_closure_frees_the_place(resident, front, social, ngo):
    # Demo: the NGO has one palliative place; take it with one case, the next waits.
    services.set_capacity(actor=social, provider_id=ngo.pk, service_code="palliative_care", capacity=0)
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["palliative_care"],
                                         urgency="crisis")
    assess(social, case, recommended=["palliative_care"])
    decision = services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Потреба є",
                               services=[services.ServiceChoice("palliative_care", ngo.pk)])
    assert decision.payment == "free"   # a crisis: free under the Law's art. 28 list (data)
    svc = CaseService.objects.get(case=case)
    assert svc.state == CaseService.WAITING
    services.approve_plan(actor=social, case_id=case.pk, goals="Гідний догляд", consent_on=timezone.localdate(),
                          items=[services.PlanItemInput("palliative_care", "щодня")])
    with pytest.raises(ValidationFailed) as exc:
        services.record_delivery(actor=social, case_id=case.pk, service_code="palliative_care")
    assert exc.value.code == "service_not_active"
    services.set_capacity(actor=social, provider_id=ngo.pk, service_code="palliative_care", capacity=5)
    svc.refresh_from_db()
    assert svc.state == CaseService.ACTIVE


def test_paid_unless_a_free_condition_holds(resident, front, social, centre):
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal")
    assess(social, case)
    decision = services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Потреба є",
                               services=[services.ServiceChoice("home_care", centre.pk)])
    assert decision.payment == "paid"
    assert rules.payment_for({"low_income"}) == "free"


def test_plan_needs_consent_and_every_service(resident, front, social, centre):
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal")
    assess(social, case)
    services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Потреба є",
                    services=[services.ServiceChoice("home_care", centre.pk)])
    with pytest.raises(ValidationFailed) as exc:
        services.approve_plan(actor=social, case_id=case.pk, goals="Мета", consent_on=None,
                              items=[services.PlanItemInput("home_care", "щотижня")])
    assert exc.value.code == "consent_required"
    with pytest.raises(ValidationFailed) as exc:
        services.approve_plan(actor=social, case_id=case.pk, goals="Мета", consent_on=timezone.localdate(), items=[])
    assert exc.value.code == "plan_incomplete"


def test_deliveries_reassessment_suspension_referral_closure(in_service, social, provider):
    services.record_delivery(actor=provider, case_id=in_service.pk, service_code="home_care", minutes=45)
    services.send_referral(actor=social, case_id=in_service.pk, body="employment", purpose="Пошук роботи для доньки")
    again = assess(social, in_service, sections=sections(1))
    assert again.is_reassessment
    in_service.refresh_from_db()
    assert in_service.status == CaseStatus.IN_SERVICE
    services.suspend(actor=social, case_id=in_service.pk, reason="Лікування в стаціонарі")
    with pytest.raises(workflow.IllegalTransition):
        services.record_delivery(actor=provider, case_id=in_service.pk, service_code="home_care")
    services.resume(actor=social, case_id=in_service.pk)
    case = services.close_case(actor=social, case_id=in_service.pk, outcome="need_ended")
    assert case.status == CaseStatus.CLOSED and case.outcome == "need_ended"
    actions = list(Event.objects.filter(case=case).values_list("action", flat=True))
    for expected in ("register", "assign", "complete_assessment", "provide", "approve_plan", "delivery", "referral",
                     "reassessment", "suspend", "resume", "close"):
        assert expected in actions
    with pytest.raises(ValidationFailed):
        services.close_case(actor=social, case_id=in_service.pk, outcome="nonsense")
