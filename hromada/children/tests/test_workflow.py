"""The child-case state machine through the named services: legal paths, illegal steps, guards."""
from datetime import timedelta

import pytest
from django.utils import timezone

from hromada.children import services, workflow
from hromada.children.models import CaseStatus, ChildCase, Event, Reporter
from hromada.core.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def test_full_path_to_closure(planned_case, child):
    case = planned_case
    assert case.status == CaseStatus.CASE_PLAN
    measure = case.plan.measures.get()
    services.mark_measure_done(actor=child, case_id=case.pk, measure_id=measure.pk)
    referral = services.send_referral(actor=child, case_id=case.pk, service_name="Центр соціальних служб",
                                      purpose="Психологічна допомога")
    services.record_referral_feedback(actor=child, case_id=case.pk, referral_id=referral.pk,
                                      feedback="Проведено 3 консультації")
    services.record_review(actor=child, case_id=case.pk, findings="Ситуація покращилась")
    services.record_review(actor=child, case_id=case.pk, findings="Стабільно",
                           next_review_due=timezone.localdate() + timedelta(days=60))
    case = services.close_case(actor=child, case_id=case.pk, outcome="circumstances_overcome")
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.outcome == "circumstances_overcome"
    actions = list(Event.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["register", "start_assessment", "complete_assessment", "recognise", "approve_plan",
                       "measure_done", "referral", "referral_feedback", "review", "review", "close"]
    assert case.reviews.count() == 2
    assert case.plan.next_review_due == timezone.localdate() + timedelta(days=60)


def test_not_in_difficult_circumstances_closes(assessed_case, child):
    case = services.decide_on_circumstances(actor=child, case_id=assessed_case.pk, in_difficult_circumstances=False,
                                            basis="Обставини не підтвердилися")
    assert case.status == CaseStatus.CLOSED
    assert case.outcome == "not_in_difficult_circumstances"
    assert case.decision.in_difficult_circumstances is False


def test_decision_needs_completed_assessment(make_case, child):
    case = make_case(child)
    services.start_assessment(actor=child, case_id=case.pk)
    with pytest.raises(workflow.IllegalTransition) as exc:
        services.decide_on_circumstances(actor=child, case_id=case.pk, in_difficult_circumstances=True, basis="x")
    assert "оцінювання" in str(exc.value.message)
    assert ChildCase.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT


@pytest.mark.parametrize("step", ["decide", "plan", "review", "close", "complete", "referral"])
def test_illegal_from_registered(make_case, child, step):
    case = make_case(child)
    calls = {
        "decide": lambda: services.decide_on_circumstances(actor=child, case_id=case.pk,
                                                           in_difficult_circumstances=True, basis="x"),
        "plan": lambda: services.approve_case_plan(actor=child, case_id=case.pk, goal="x", measures=[
            services.MeasureInput("a", "b", timezone.localdate())]),
        "review": lambda: services.record_review(actor=child, case_id=case.pk, findings="x"),
        "close": lambda: services.close_case(actor=child, case_id=case.pk, outcome="other", note="x"),
        "complete": lambda: services.complete_assessment(actor=child, case_id=case.pk, needs="x", findings="y"),
        "referral": lambda: services.send_referral(actor=child, case_id=case.pk, service_name="x"),
    }
    with pytest.raises(workflow.IllegalTransition) as exc:
        calls[step]()
    assert exc.value.status == 409 and exc.value.code == "illegal_transition"
    assert ChildCase.objects.get(pk=case.pk).status == CaseStatus.REGISTERED
    assert Event.objects.filter(case=case).count() == 1


def test_closed_case_is_final(assessed_case, child):
    services.decide_on_circumstances(actor=child, case_id=assessed_case.pk, in_difficult_circumstances=False,
                                     basis="x")
    for call in (lambda: services.close_case(actor=child, case_id=assessed_case.pk, outcome="other", note="x"),
                 lambda: services.start_assessment(actor=child, case_id=assessed_case.pk),
                 lambda: services.send_referral(actor=child, case_id=assessed_case.pk, service_name="x")):
        with pytest.raises(workflow.IllegalTransition):
            call()


def test_start_assessment_twice_refused(make_case, child):
    case = make_case(child)
    services.start_assessment(actor=child, case_id=case.pk)
    with pytest.raises(workflow.IllegalTransition):
        services.start_assessment(actor=child, case_id=case.pk)


def test_stale_version_refused(make_case, child):
    case = make_case(child)
    with pytest.raises(workflow.StaleVersion):
        services.start_assessment(actor=child, case_id=case.pk, expected_version=case.version + 5)
    services.start_assessment(actor=child, case_id=case.pk, expected_version=case.version)


def test_close_outcome_validated(planned_case, child):
    with pytest.raises(ValidationFailed) as exc:
        services.close_case(actor=child, case_id=planned_case.pk, outcome="not_in_difficult_circumstances")
    assert exc.value.code == "invalid_outcome"
    with pytest.raises(ValidationFailed) as exc:
        services.close_case(actor=child, case_id=planned_case.pk, outcome="other")
    assert exc.value.code == "note_required"


def test_other_roles_and_territories_cannot_act(make_case, child, child2, front, hadmin):
    case = make_case(child)
    with pytest.raises(NotFound):
        services.start_assessment(actor=child2, case_id=case.pk)
    for user in (front, hadmin):     # roles that may never: Forbidden, before the case is looked up
        with pytest.raises(Forbidden):
            services.start_assessment(actor=user, case_id=case.pk)
        with pytest.raises(Forbidden):
            services.register_child_case(actor=user, child=None, urgency="planned", reporter_type="school",
                                         circumstances=["neglect"])
    assert ChildCase.objects.get(pk=case.pk).status == CaseStatus.REGISTERED


def test_raion_children_service_sees_and_acts(make_case, child, child_raion):
    case = make_case(child)
    services.start_assessment(actor=child_raion, case_id=case.pk)
    assert ChildCase.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT


def test_raion_user_must_choose_hromada(make_case, child_raion, child):
    with pytest.raises(ValidationFailed) as exc:
        make_case(child_raion)
    assert exc.value.code == "hromada_required"
    case = make_case(child_raion, hromada_id=child.territory_id)
    assert case.hromada_id == child.territory_id


def test_anonymous_report_stores_no_reporter(make_case, child):
    case = make_case(child, reporter_type="anonymous", reporter_name="Іван Сусід", reporter_phone="+380991112233")
    assert not Reporter.objects.filter(case=case).exists()
    case2 = make_case(child, child={"first_name": "Ольга", "sex": "F"})
    assert Reporter.objects.get(case=case2).name == "ЗЗСО № 1 м. Баранівка"


def test_registration_validation(make_case, child):
    with pytest.raises(ValidationFailed) as exc:
        make_case(child, circumstances=[])
    assert exc.value.code == "circumstances_required"
    with pytest.raises(ValidationFailed) as exc:
        make_case(child, circumstances=["bogus"])
    assert exc.value.code == "invalid_circumstance"
    with pytest.raises(ValidationFailed) as exc:
        make_case(child, urgency="whenever")
    assert exc.value.code == "invalid_urgency"
    with pytest.raises(ValidationFailed) as exc:
        make_case(child, child={"birth_date": timezone.localdate().replace(year=timezone.localdate().year - 20)})
    assert exc.value.code == "not_a_child"
    with pytest.raises(ValidationFailed) as exc:
        make_case(child, child={"rnokpp": "1234567890"})
    assert exc.value.code == "invalid_rnokpp"
    with pytest.raises(ValidationFailed) as exc:
        make_case(child, reporter_name="")
    assert exc.value.code == "required"
    assert not ChildCase.objects.exists()


def test_same_child_reused_and_numbers_unique(make_case, child):
    a, b = make_case(child), make_case(child)
    assert a.child_id == b.child_id
    assert a.number != b.number and a.number.startswith("СД-")


def test_representatives_recorded(make_case, child):
    from datetime import date
    case = make_case(child, representatives=[services.RepresentativeInput(
        role="mother", person=services.PersonInput(last_name="Петренко", first_name="Ганна", birth_date=date(1990, 1, 2),
                                                   sex="F"))])
    member = case.members.get()
    assert member.role == "mother" and member.person.first_name == "Ганна"
    assert member.person.registered_hromada_id == case.hromada_id
