"""The whole case life with the intake app's real services: submit → take → return → resubmit → take →
grant → result sent → issued (closed); the back office's view of the case follows each step."""
from datetime import timedelta

import pytest

from hromada.applications.models import Status
from hromada.applications.services.front import issue_result
from hromada.applications.services.intake import create_application, resubmit_application, submit_application
from hromada.applications.tests.factories import fill_required
from hromada.backoffice import selectors, services
from hromada.backoffice.models import ReturnRequest
from hromada.testing import case_events

from .factories import person

pytestmark = pytest.mark.django_db


def test_full_cycle_with_intake_services(front, back, back2, django_capture_on_commit_callbacks):
    applicant = person(front)
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=applicant.pk)
    fill_required(app, front)
    submit_application(actor=front, application_id=app.pk)
    app.refresh_from_db()
    assert app.back_office_id == back.office_id and app.due_date
    assert app.number in [a.number for a in selectors.queue(back, selectors.QueueFilters()).object_list]
    assert app.number not in [a.number for a in selectors.queue(back2, selectors.QueueFilters()).object_list]

    services.take_application(actor=back, application_id=app.pk)
    request_row = services.return_for_correction(actor=back, application_id=app.pk, reason="Нечіткий скан",
                                                 items=["child_birth_certificate"])
    resubmit_application(actor=front, application_id=app.pk, comment="Додано чіткий скан")
    app.refresh_from_db()
    assert app.status == Status.RESUBMITTED
    services.take_application(actor=back, application_id=app.pk)
    assert ReturnRequest.objects.get(pk=request_row.pk).resolved_at is not None

    born = app.application_date - timedelta(days=40)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=back, application_id=app.pk, outcome="granted",
                        calculator_inputs={"birth_date": born.isoformat()})
    app.refresh_from_db()
    assert app.status == Status.RESULT_SENT and app.decision.amount == 50000
    issue_result(actor=front, application_id=app.pk, method="in_person")
    app.refresh_from_db()
    assert app.status == Status.CLOSED
    assert [e.action for e in case_events(app) if e.action != "create"][:7] == [
        "submit", "take", "return", "resubmit", "take", "grant", "send_result"]
