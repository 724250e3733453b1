from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hromada.applications import deadlines, workflow
from hromada.applications.models import Application, Receipt, Status
from hromada.applications.services.documents import add_missing_document, attach_document, remove_document
from hromada.applications.services.front import issue_result, withdraw_application
from hromada.applications.services.intake import create_application, resubmit_application, submit_application
from hromada.applications.services.receipts import store_receipt
from hromada.catalog import calendar
from hromada.catalog.models import Holiday, TermKind
from hromada.core.errors import Forbidden, NotFound, ValidationFailed
from hromada.testing import case_events

from .factories import fill_required, pdf_bytes, upload


def _as_back(app_id, *actions, actor, **changes):
    with transaction.atomic():
        for action in actions:
            workflow.transition(app_id, action, actor=actor if workflow.TRANSITIONS[action].permission else None,
                                **changes)


@pytest.fixture
def submitted(draft, front):
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    return Application.objects.get(pk=draft.pk)


def test_resubmit_moves_due_date_by_days_in_returned(submitted, front, front2, back, monkeypatch):
    _as_back(submitted.pk, "take", actor=back)
    # The case came back to the front office 4 calendar days ago (its history is append only: the return is
    # recorded then, not moved afterwards).
    four_days_ago = timezone.now() - timedelta(days=4)
    with monkeypatch.context() as then:
        then.setattr(timezone, "now", lambda: four_days_ago)
        _as_back(submitted.pk, "return", actor=back)
    assert [e.at for e in case_events(submitted, "return")] == [four_days_ago]
    before = Application.objects.get(pk=submitted.pk)
    with pytest.raises(NotFound):
        resubmit_application(actor=front2, application_id=submitted.pk)
    app = resubmit_application(actor=front, application_id=submitted.pk, comment="Додано скан")
    assert app.status == Status.RESUBMITTED and app.returned_days == 4
    svc = before.service
    assert app.due_date == calendar.due_date(before.application_date, svc.term_days + 4, svc.term_kind)
    assert app.due_date > before.due_date
    assert [e.data["suspended_days"] for e in case_events(app, "resubmit")] == [4]


def test_returned_case_can_be_corrected(submitted, front, back):
    _as_back(submitted.pk, "take", "return", actor=back)
    doc = attach_document(actor=front, application_id=submitted.pk, document_code="identity_document",
                          uploaded_file=upload(pdf_bytes(2, seed=999)))
    assert doc.late is True
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in case_events(submitted)][-1] == (
        "document_added", Status.RETURNED, Status.RETURNED, front.pk)


def test_issue_then_close_and_wrong_states(submitted, front, front2, back):
    with pytest.raises(workflow.IllegalTransition):
        issue_result(actor=front, application_id=submitted.pk, method="post")
    _as_back(submitted.pk, "take", "grant", "send_result", actor=back)
    with pytest.raises(NotFound):
        issue_result(actor=front2, application_id=submitted.pk, method="post")
    with pytest.raises(Forbidden):
        issue_result(actor=back, application_id=submitted.pk, method="post")
    app = issue_result(actor=front, application_id=submitted.pk, method="post")
    assert app.status == Status.CLOSED and app.issued_at and app.closed_at
    actions = [e.action for e in case_events(app)]
    assert actions[-2:] == ["issue", "close"]


def test_withdraw_before_decision_only(submitted, front, front2, back):
    with pytest.raises(NotFound):
        withdraw_application(actor=front2, application_id=submitted.pk)
    _as_back(submitted.pk, "take", "grant", actor=back)
    with pytest.raises(workflow.IllegalTransition):
        withdraw_application(actor=front, application_id=submitted.pk, reason="x")


def test_withdraw_submitted(submitted, front):
    app = withdraw_application(actor=front, application_id=submitted.pk, reason="Заявниця передумала")
    assert app.status == Status.WITHDRAWN and app.withdrawn_at


def test_resubmit_requires_returned_and_complete(submitted, front, back):
    with pytest.raises(workflow.IllegalTransition):
        resubmit_application(actor=front, application_id=submitted.pk)
    _as_back(submitted.pk, "take", "return", actor=back)
    doc = Application.objects.get(pk=submitted.pk).documents.get(requirement_code="application_form")
    remove_document(actor=front, application_id=submitted.pk, document_id=doc.pk)
    with pytest.raises(ValidationFailed) as e:
        resubmit_application(actor=front, application_id=submitted.pk)
    assert e.value.code == "incomplete_application"


# --- deadlines (pure rules over the Holiday data) -----------------------------------------------


class _Svc:
    def __init__(self, days, kind):
        self.term_days, self.term_kind = days, kind


class _App:
    def __init__(self, app_date, days, kind, returned_days=0):
        self.application_date, self.service, self.returned_days = app_date, _Svc(days, kind), returned_days


def test_application_date_moves_off_weekends_and_holidays(db):
    Holiday.objects.update_or_create(date=date(2031, 1, 1), defaults={"name": "Новий рік", "is_day_off": True})
    assert deadlines.application_date_for(date(2030, 12, 28)) == date(2030, 12, 30)  # Saturday → Monday
    assert deadlines.application_date_for(date(2031, 1, 1)) == date(2031, 1, 2)      # holiday → next day


def test_initial_due_date_calendar_and_working(db):
    # 2030-06-03 is a Monday. 10 calendar days → Thursday 13th; 10 working days → Monday 17th.
    assert deadlines.initial_due_date(_App(date(2030, 6, 3), 10, TermKind.CALENDAR)) == date(2030, 6, 13)
    assert deadlines.initial_due_date(_App(date(2030, 6, 3), 10, TermKind.WORKING)) == date(2030, 6, 17)
    # A calendar term ending on Saturday moves to Monday.
    assert deadlines.initial_due_date(_App(date(2030, 6, 5), 10, TermKind.CALENDAR)) == date(2030, 6, 17)


def test_due_date_after_return_suspends_the_term(db):
    app = _App(date(2030, 6, 3), 10, TermKind.CALENDAR)
    moved = deadlines.after_return(app, date(2030, 6, 5), date(2030, 6, 8))
    assert deadlines.due_date_after_return(app, date(2030, 6, 5), date(2030, 6, 8)) == date(2030, 6, 17)
    assert (moved.added_days, moved.returned_days, moved.due_date) == (3, 3, date(2030, 6, 17))  # 16th is Sunday
    same_day = deadlines.after_return(app, date(2030, 6, 5), date(2030, 6, 5))
    assert same_day.added_days == 0 and same_day.due_date == date(2030, 6, 13)
    working = _App(date(2030, 6, 3), 10, TermKind.WORKING, returned_days=1)
    # Returned Friday 7th, resubmitted Monday 10th: 1 working day suspended, 2 in total.
    moved = deadlines.after_return(working, datetime(2030, 6, 7, 12, 0), datetime(2030, 6, 10, 9, 0))
    assert (moved.added_days, moved.returned_days, moved.due_date) == (1, 2, date(2030, 6, 19))


def test_documents_deadline_and_handover(db):
    assert deadlines.documents_deadline(registered_on=date(2030, 1, 31), late_documents_months=1) == date(2030, 2, 28)
    assert deadlines.documents_deadline(registered_on=date(2030, 1, 15), late_documents_months=3) == date(2030, 4, 15)
    # Thursday paper, hand-over on the next Tuesday = 3 working days: in time; Wednesday: late.
    assert deadlines.handover_is_late(date(2030, 6, 6), date(2030, 6, 11)) is False
    assert deadlines.handover_is_late(date(2030, 6, 6), date(2030, 6, 12)) is True
    assert deadlines.handover_is_late(None, date(2030, 6, 12)) is False


def test_children_with_disabilities_get_three_months(front, person):
    app = create_application(actor=front, service_code="disability_since_childhood", applicant_id=person.pk)
    registered = deadlines.registration_day(app)
    assert deadlines.documents_deadline_for(app) == deadlines.add_months(registered, 3)


def test_receipt_renewed_only_when_its_content_changes(submitted, front, back):
    first = store_receipt(application_id=submitted.pk)
    _as_back(submitted.pk, "take", actor=back)
    assert store_receipt(application_id=submitted.pk).pk == first.pk
    add_missing_document(actor=front, application_id=submitted.pk, document_code="bank_details",
                         uploaded_file=upload(pdf_bytes(1, seed=4242)))
    second = store_receipt(application_id=submitted.pk)
    assert second.pk != first.pk and Receipt.objects.filter(application=submitted).count() == 2
