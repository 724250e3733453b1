"""Back-office services: legal and illegal transitions, roles, scope, versions, side effects."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from hromada.applications import workflow
from hromada.applications.models import Application, Status
from hromada.audit.models import AuditEntry
from hromada.backoffice import services
from hromada.backoffice.models import Decision, ReturnRequest
from hromada.core.errors import Forbidden, NotFound, ValidationFailed
from hromada.notifications import channels
from hromada.notifications.models import Consent, Notification, State
from hromada.testing import case_events

from .factories import submitted_case

pytestmark = pytest.mark.django_db


def _in_review(actor, consent=("sms", "email")):
    app = submitted_case()
    for channel in consent:     # the resident agreed at the desk (notifications.services.record_consent)
        Consent.objects.create(person=app.applicant_person, channel=channel, granted=True,
                               recorded_by=app.registered_by, recorded_at=app.registered_at)
    return services.take_application(actor=actor, application_id=app.pk)


def test_take_assigns_to_actor_writes_event_and_audit(back):
    app = submitted_case()
    taken = services.take_application(actor=back, application_id=app.pk, expected_version=app.version)
    assert taken.status == Status.IN_REVIEW and taken.assigned_to == back and taken.version == app.version + 1
    event = case_events(app)[-1]
    assert (event.action, event.from_status, event.to_status, event.actor_id) == ("take", "submitted", "in_review",
                                                                                  back.pk)
    assert AuditEntry.objects.filter(action="application.take", object_id=str(app.pk), actor=back).exists()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RESUBMITTED])
def test_take_is_legal_from_waiting_states(back, status):
    app = submitted_case(status=status)
    assert services.take_application(actor=back, application_id=app.pk).status == Status.IN_REVIEW


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.RETURNED, Status.DECIDED_GRANTED, Status.RESULT_SENT,
                                    Status.CLOSED, Status.WITHDRAWN])
def test_take_is_illegal_from_other_states(back, status):
    app = submitted_case(status=status)
    with pytest.raises(workflow.IllegalTransition):
        services.take_application(actor=back, application_id=app.pk)
    app.refresh_from_db()
    assert app.status == status and app.version == 1 and case_events(app) == []


def test_take_with_stale_version_is_a_conflict(back):
    app = submitted_case()
    with pytest.raises(workflow.StaleVersion) as exc:
        services.take_application(actor=back, application_id=app.pk, expected_version=app.version + 1)
    assert exc.value.status == 409


def test_other_back_office_never_sees_the_case(back2, head):
    app = submitted_case("front")        # Баранівська → Звягельська РДА
    for call in (lambda: services.take_application(actor=back2, application_id=app.pk),
                 lambda: services.return_for_correction(actor=back2, application_id=app.pk, reason="x", items=[]),
                 lambda: services.decide(actor=back2, application_id=app.pk, outcome="refused", reason_code="no_right")):
        with pytest.raises(NotFound):
            call()
    other = submitted_case("front2")     # Тетерівська → Житомирська РДА
    with pytest.raises(NotFound):
        services.take_application(actor=head, application_id=other.pk)
    assert services.take_application(actor=back2, application_id=other.pk).assigned_to == back2


@pytest.mark.parametrize("who", ["front", "hadmin", "ministry"])
def test_roles_that_may_never_take(request, who):
    app = submitted_case()
    actor = request.getfixturevalue(who)
    with pytest.raises((Forbidden, NotFound)):
        services.take_application(actor=actor, application_id=app.pk)
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED


def test_head_assigns_a_specialist_of_the_same_office(head, back, back2):
    app = submitted_case()
    assigned = services.assign_application(actor=head, application_id=app.pk, user_id=back.pk)
    assert assigned.assigned_to == back and assigned.status == Status.IN_REVIEW
    with pytest.raises(ValidationFailed) as exc:
        services.assign_application(actor=head, application_id=app.pk, user_id=back2.pk)
    assert exc.value.code == "invalid_assignee"


def test_specialist_may_not_assign(back, head):
    app = submitted_case()
    with pytest.raises(Forbidden):
        services.assign_application(actor=back, application_id=app.pk, user_id=head.pk)


def test_return_for_correction(back):
    app = _in_review(back)
    row = services.return_for_correction(actor=back, application_id=app.pk, reason="Нечіткий скан свідоцтва",
                                         items=["child_birth_certificate", " ", "Підпис на заяві"])
    app.refresh_from_db()
    assert app.status == Status.RETURNED and app.return_count == 1
    assert row.items == ["child_birth_certificate", "Підпис на заяві"] and row.resolved_at is None
    assert case_events(app)[-1].comment == "Нечіткий скан свідоцтва"
    # Back at the front office, resubmitted; taking it again resolves the request.
    Application.objects.filter(pk=app.pk).update(status=Status.RESUBMITTED)
    services.take_application(actor=back, application_id=app.pk)
    assert ReturnRequest.objects.get(pk=row.pk).resolved_at is not None


def test_return_needs_a_reason_and_review_state(back):
    app = _in_review(back)
    with pytest.raises(ValidationFailed) as exc:
        services.return_for_correction(actor=back, application_id=app.pk, reason="  ", items=["x"])
    assert exc.value.code == "reason_required"
    waiting = submitted_case()
    with pytest.raises(workflow.IllegalTransition):
        services.return_for_correction(actor=back, application_id=waiting.pk, reason="x", items=[])


def test_only_the_assignee_or_the_head_reviews(back, head):
    app = submitted_case()
    services.assign_application(actor=head, application_id=app.pk, user_id=head.pk)
    with pytest.raises(Forbidden) as exc:
        services.return_for_correction(actor=back, application_id=app.pk, reason="x", items=[])
    assert exc.value.code == "not_assignee"
    services.assign_application(actor=head, application_id=app.pk, user_id=back.pk)
    assert services.decide(actor=head, application_id=app.pk, outcome="refused", reason_code="no_right").pk


def test_grant_with_calculator_sends_result_and_notifies(back, sms_outbox, django_capture_on_commit_callbacks):
    app = _in_review(back)
    born = app.application_date - timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decide(actor=back, application_id=app.pk, outcome="granted",
                                   calculator_inputs={"birth_date": born.isoformat()}, comment="")
    app.refresh_from_db()
    assert app.status == Status.RESULT_SENT and app.decided_at and app.result_sent_at
    assert decision.amount == Decimal("50000.00") and decision.calculator == "birth_assistance"
    assert decision.calculation["lines"] and decision.data_version
    assert [e.action for e in case_events(app)][-2:] == ["grant", "send_result"] and app.granted is True
    assert set(Notification.objects.filter(application=app).values_list("channel", "kind", "state")) == {
        ("email", "result_ready", State.SENT), ("sms", "result_ready", State.SENT)}
    # Only the first name and the number in the SMS, one Cyrillic segment; no surname, amount or outcome anywhere.
    applicant = app.applicant_person
    (phone, text), = sms_outbox
    assert phone == applicant.phone and app.number in text and "готовий" in text and len(text) <= 70
    message = mail.outbox[-1]
    assert message.to == [applicant.email] and app.number in message.subject
    for secret in (applicant.last_name, "50000", "50 000", "призначено", applicant.phone):
        assert secret not in text and secret not in message.body and secret not in message.subject
    assert app.front_office.name in message.body
    row = Notification.objects.get(application=app, channel="sms")
    assert applicant.phone not in row.recipient_masked


def test_amount_differs_from_calculation_needs_comment(back):
    app = _in_review(back)
    inputs = {"birth_date": app.application_date.isoformat()}
    with pytest.raises(ValidationFailed) as exc:
        services.decide(actor=back, application_id=app.pk, outcome="granted", amount="40000", calculator_inputs=inputs)
    assert exc.value.code == "amount_override_needs_comment"
    d = services.decide(actor=back, application_id=app.pk, outcome="granted", amount="40000", calculator_inputs=inputs,
                        comment="Частину виплачено раніше")
    assert d.amount == Decimal("40000.00")


@pytest.mark.parametrize("kwargs, code", [
    ({}, "amount_required"),
    ({"amount": "-1", "period_from": date(2026, 1, 1), "period_to": date(2026, 2, 1)}, "invalid_amount"),
    ({"amount": "abc", "period_from": date(2026, 1, 1), "period_to": date(2026, 2, 1)}, "invalid_amount"),
    ({"amount": "100", "period_from": date(2026, 2, 1), "period_to": date(2026, 1, 1)}, "invalid_period"),
    ({"amount": "100"}, "invalid_period"),
])
def test_grant_validation(back, kwargs, code):
    app = _in_review(back)
    with pytest.raises(ValidationFailed) as exc:
        services.decide(actor=back, application_id=app.pk, outcome="granted", **kwargs)
    assert exc.value.code == code
    assert Application.objects.get(pk=app.pk).status == Status.IN_REVIEW and not Decision.objects.filter(
        application=app).exists()


def test_manual_grant_without_calculator(back):
    app = _in_review(back)
    d = services.decide(actor=back, application_id=app.pk, outcome="granted", amount=Decimal("0"),
                        period_from=date(2026, 1, 1), period_to=date(2026, 1, 31))
    assert d.amount == Decimal("0.00") and d.calculation == {}


def test_refuse_needs_a_reason_from_the_list_for_this_service(back):
    app = _in_review(back)
    for code in ("", "made_up", "income_above_minimum"):      # the last one is for low-income families only
        with pytest.raises(ValidationFailed) as exc:
            services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code=code)
        assert exc.value.code == "invalid_reason"
    with pytest.raises(ValidationFailed) as exc:
        services.decide(actor=back, application_id=app.pk, outcome="maybe")
    assert exc.value.code == "invalid_outcome"
    d = services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="claim_period_expired",
                        comment="Дитина народилася понад рік тому")
    assert d.amount is None and Application.objects.get(pk=app.pk).status == Status.RESULT_SENT


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RETURNED, Status.RESULT_SENT, Status.WITHDRAWN])
def test_decide_is_illegal_outside_review(back, status):
    app = submitted_case(status=status, assigned_to=back)
    with pytest.raises(workflow.IllegalTransition):
        services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="no_right")
    assert not Decision.objects.filter(application=app).exists()


def test_no_contacts_nothing_sent_and_the_reason_recorded(back, sms_outbox, django_capture_on_commit_callbacks):
    app = _in_review(back)
    app.applicant_person.__class__.objects.filter(pk=app.applicant_person.pk).update(email="", phone="")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="no_right")
    rows = Notification.objects.filter(application=app)
    assert {r.state for r in rows} == {State.NOT_SENT} and all(r.last_error for r in rows)
    assert sms_outbox == [] and mail.outbox == []


def test_no_consent_nothing_sent(back, sms_outbox, django_capture_on_commit_callbacks):
    app = _in_review(back, consent=())
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="no_right")
    assert not Notification.objects.filter(application=app).exists() and sms_outbox == [] and mail.outbox == []


def test_failed_sms_is_recorded_not_raised(back, settings, django_capture_on_commit_callbacks):
    settings.HROMADA_SMS_BACKEND = "hromada.backoffice.tests.test_services.RejectingSms"
    app = _in_review(back)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="no_right")
    row = Notification.objects.get(application=app, channel="sms")
    assert row.state == State.FAILED and row.last_error == "HTTP 400: invalid number" and row.attempts == 1
    assert Application.objects.get(pk=app.pk).status == Status.RESULT_SENT


class RejectingSms:
    delivers = True

    def send(self, *, phone, text, reference):
        raise channels.PermanentError("HTTP 400: invalid number")


def test_front_office_actions_are_refused_to_the_back_office(back):
    # Workflow-level: a back-office specialist may not issue or resubmit (front-office actions).
    app = submitted_case(status=Status.RESULT_SENT)
    from django.db import transaction
    for action in ("issue", "resubmit", "withdraw", "submit"):
        with pytest.raises(Forbidden), transaction.atomic():
            workflow.transition(app.pk, action, actor=back)
