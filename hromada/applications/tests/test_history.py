"""A case's history in its own row (docs/decisions/0004, migration 0022): a whole life of a case leaves its events
in order with their states and actors, and the decision in ``granted``; the database keeps the history append only
(an UPDATE that does not keep the old bytes as their beginning is refused, a stale full save too); an event recorded
through a stale instance is appended to what the row holds, not to what the instance last read."""
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from hromada.applications import selectors, workflow
from hromada.applications.models import HISTORY, Application, Status
from hromada.applications.services.front import issue_result
from hromada.applications.services.intake import create_application, resubmit_application, submit_application
from hromada.backoffice import services as back_services
from hromada.testing import case_events, migrate_all_forward

from .factories import fill_required

pytestmark = pytest.mark.django_db

S = Status


def _raw(pk) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT history FROM applications_application WHERE id = %s", [pk])
        return bytes(cursor.fetchone()[0])


def _told(events):
    return [(e.action, e.from_status, e.to_status, e.actor_id) for e in events]


@pytest.fixture
def submitted(draft, front):
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    return Application.objects.get(pk=draft.pk)


@pytest.mark.parametrize(("outcome", "decision", "decided"), [
    ("granted", dict(amount="320.00", period_from=date(2026, 12, 1), period_to=date(2027, 11, 30)), True),
    ("refused", dict(reason_code="no_right"), False)])
def test_a_whole_life_of_a_case_is_in_its_history_in_order(front, back, person, outcome, decision, decided):
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    fill_required(app, front)
    before = len(case_events(app))   # what the intake records while the case is a draft (its creation first)
    submit_application(actor=front, application_id=app.pk)
    back_services.take_application(actor=back, application_id=app.pk)
    assert Application.objects.get(pk=app.pk).granted is None
    back_services.return_for_correction(actor=back, application_id=app.pk, reason="Нечіткий скан паспорта",
                                        items=["identity_document"])
    resubmit_application(actor=front, application_id=app.pk, comment="Пересканували")
    back_services.take_application(actor=back, application_id=app.pk)
    back_services.decide(actor=back, application_id=app.pk, outcome=outcome, **decision)
    issue_result(actor=front, application_id=app.pk, method="in_person")

    step = "grant" if decided else "refuse"
    result = S.DECIDED_GRANTED if decided else S.DECIDED_REFUSED
    events = case_events(app)
    assert _told(events[:1]) == [("create", S.DRAFT, S.DRAFT, front.pk)]
    assert _told(events[before:]) == [
        ("submit", S.DRAFT, S.SUBMITTED, front.pk),
        ("take", S.SUBMITTED, S.IN_REVIEW, back.pk),
        ("return", S.IN_REVIEW, S.RETURNED, back.pk),
        ("resubmit", S.RETURNED, S.RESUBMITTED, front.pk),
        ("take", S.RESUBMITTED, S.IN_REVIEW, back.pk),
        (step, S.IN_REVIEW, result, back.pk),
        ("send_result", result, S.RESULT_SENT, None),     # the system's steps have no actor
        ("issue", S.RESULT_SENT, S.RESULT_ISSUED, front.pk),
        ("close", S.RESULT_ISSUED, S.CLOSED, None)]
    # What each step told, where it is kept for good.
    by_action = {e.action: e for e in events}
    assert by_action["create"].data == {}   # in person, the usual channel, goes without saying
    assert (by_action["return"].comment, by_action["return"].data) == ("Нечіткий скан паспорта",
                                                                        {"items": ["identity_document"]})
    assert by_action["resubmit"].comment == "Пересканували" and "suspended_days" in by_action["resubmit"].data
    assert by_action[step].data == ({"amount": "320.00"} if decided else {"reason_code": "no_right"})
    assert by_action["issue"].data == {} and "back_office" not in by_action["submit"].data   # told from the case
    told = {e.action: e.data for e in selectors.events_of(Application.objects.get(pk=app.pk))}
    assert (told["create"]["channel"], told["submit"]["back_office"], told["issue"]["method"]) == (
        "in_person", Application.objects.get(pk=app.pk).back_office_id, "in_person")
    # Each event's place is its id; the times follow the steps.
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert [e.at for e in events] == sorted(e.at for e in events)

    row = Application.objects.get(pk=app.pk)
    assert (row.status, row.granted, row.assigned_to_id) == (S.CLOSED, decided, back.pk)
    assert _told(HISTORY.decode(row.history)) == _told(events)
    # The readers: actors resolved, a label for each event.
    told = selectors.history(front, app.pk)
    assert _told(told) == _told(events)
    assert [e.actor for e in told[before:before + 3]] == [front, back, back] and told[-1].actor is None
    assert all(e.label for e in told)
    assert selectors.last_return_event(row).comment == "Нечіткий скан паспорта"


def test_the_database_refuses_a_history_that_does_not_keep_the_old_one(submitted, front):
    stored = _raw(submitted.pk)
    assert len(case_events(submitted)) >= 2
    flipped = bytearray(stored)
    flipped[1] = flipped[1] + 1 if flipped[1] + 1 < len(HISTORY.actions) else 1     # the first event's action
    for rewritten in (b"", stored[:-1], stored[:1], bytes(flipped), b"nonsense", bytes(flipped) + b"more"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Application.objects.filter(pk=submitted.pk).update(history=rewritten)
        assert _raw(submitted.pk) == stored
    # What the trigger allows: the same bytes, and the same bytes with more after them.
    with transaction.atomic():
        Application.objects.filter(pk=submitted.pk).update(history=stored)
    longer = HISTORY.append(stored, action="document_added", from_status=S.SUBMITTED, to_status=S.SUBMITTED,
                            actor_id=front.pk, at=case_events(submitted)[-1].at, data={"document_code": "x"})
    with transaction.atomic():
        Application.objects.filter(pk=submitted.pk).update(history=longer)
    assert _raw(submitted.pk) == longer and case_events(submitted)[-1].data == {"document_code": "x"}


def test_a_stale_full_save_cannot_drop_what_another_transition_wrote(submitted, back):
    stale = Application.objects.get(pk=submitted.pk)
    back_services.take_application(actor=back, application_id=submitted.pk)
    moved = _raw(submitted.pk)
    stale.note = "Зателефонувати заявниці"
    with pytest.raises(IntegrityError), transaction.atomic():
        stale.save()            # every field, its status and its (shorter) history as read before the take
    row = Application.objects.get(pk=submitted.pk)
    assert (row.status, row.assigned_to_id, row.note) == (S.IN_REVIEW, back.pk, submitted.note)
    assert _raw(submitted.pk) == moved and case_events(submitted)[-1].action == "take"
    # A save of the fields it changes leaves the history alone.
    stale.save(update_fields=["note"])
    assert Application.objects.get(pk=submitted.pk).note == "Зателефонувати заявниці" and _raw(submitted.pk) == moved


def test_record_event_appends_to_what_the_row_holds_whatever_the_instance_read(submitted, front, back):
    stale = Application.objects.get(pk=submitted.pk)
    read = bytes(stale.history)
    back_services.take_application(actor=back, application_id=submitted.pk)      # another instance moves it
    moved = _raw(submitted.pk)
    assert len(moved) > len(read)

    assert workflow.record_event(stale, "document_added", actor=front, from_status=S.SUBMITTED,
                                 data={"document_code": "bank_details", "in_time": True}) is None
    now = _raw(submitted.pk)
    # The row got exactly one event after what the other instance wrote, and the stale instance now holds the row's.
    assert now.startswith(moved) and bytes(stale.history) == now
    assert [e.action for e in HISTORY.decode(now[:1] + now[len(moved):])] == ["document_added"]
    assert [(e.action, e.actor_id) for e in case_events(submitted)][-3:] == [
        ("submit", front.pk), ("take", back.pk), ("document_added", front.pk)]
    assert _told(case_events(submitted))[-2] == ("take", S.SUBMITTED, S.IN_REVIEW, back.pk)   # kept as written
    assert case_events(submitted)[-1].data == {"document_code": "bank_details", "in_time": True}
    # Again through the same stale instance: still after what the row holds.
    workflow.record_event(stale, "document_removed", actor=front)
    assert [e.action for e in case_events(submitted)][-3:] == ["take", "document_added", "document_removed"]
    assert Application.objects.get(pk=submitted.pk).status == S.IN_REVIEW


def test_an_event_of_a_case_not_yet_saved_rides_in_its_insert(submitted, front, django_assert_num_queries):
    copy = Application.objects.get(pk=submitted.pk)
    copy.pk = None
    copy._state.adding = True
    copy.history = b""
    copy.number = f"{submitted.number}-copy"
    with django_assert_num_queries(0):
        workflow.record_event(copy, "create", actor=front, data={"channel": "in_person"})
    with django_assert_num_queries(1):
        copy.save(force_insert=True)
    assert _told(case_events(copy)) == [("create", copy.status, copy.status, front.pk)]
    assert case_events(copy)[0].data == {"channel": "in_person"}


def test_an_instance_that_holds_no_history_appends_after_the_rows(submitted, front):
    """An instance read before any event (or with its history emptied in hand) must not start a second history
    inside the row: the row's first event is read, and the new one is timed from it."""
    stale = Application.objects.get(pk=submitted.pk)
    stale.history = b""
    before = _raw(submitted.pk)
    workflow.record_event(stale, "document_added", actor=front, data={"document_code": "bank_details"})
    assert _raw(submitted.pk).startswith(before)
    assert [e.action for e in case_events(submitted)] == ["create", "submit", "document_added"]


def test_a_bare_decision_step_sets_granted(submitted, back):
    """``granted`` is set by the step itself (billing and monitoring read it), not by one caller."""
    with transaction.atomic():
        workflow.transition(submitted.pk, "take", actor=back, assigned_to=back)
        workflow.transition(submitted.pk, "refuse", actor=back)
    assert Application.objects.get(pk=submitted.pk).granted is False


def test_the_append_only_trigger_is_in_the_catalogue():
    """A later migration that rebuilds the cases' table on SQLite drops its triggers silently: this notices."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'applications_application'::regclass "
                           "AND NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = 'applications_application'")
        names = {row[0] for row in cursor.fetchall()}
    assert "applications_history_append_only" in names


def test_a_stale_instance_holds_what_the_row_holds_after_record_event(submitted, front, back):
    stale = Application.objects.get(pk=submitted.pk)
    back_services.take_application(actor=back, application_id=submitted.pk)
    workflow.record_event(stale, "document_added", actor=front, data={"document_code": "bank_details"})
    assert bytes(stale.history) == _raw(submitted.pk)
    assert [e.action for e in HISTORY.decode(stale.history)][-2:] == ["take", "document_added"]


def _migrate(target):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("applications", target)])
    return executor.loader.project_state([("applications", target)]).apps


@pytest.mark.django_db(transaction=True)   # the schema goes back and forth (the events table dropped and made)
def test_the_migration_unpacks_every_history_and_packs_it_again(submitted, front, back):
    back_services.take_application(actor=back, application_id=submitted.pk)
    back_services.return_for_correction(actor=back, application_id=submitted.pk, reason="Нечіткий скан паспорта",
                                     items=["application_form"])
    before = {pk: (bytes(h), g, a) for pk, h, g, a in Application.objects.values_list(
        "id", "history", "granted", "assigned_to_id")}
    try:
        old = _migrate("0021_lean_scan_types")
        events = list(old.get_model("applications", "event").objects.filter(application_id=submitted.pk)
                      .order_by("at", "id").values_list("action", "actor_id", "comment"))
        assert events == [("create", front.pk, ""), ("submit", front.pk, ""), ("take", back.pk, ""),
                          ("return", back.pk, "Нечіткий скан паспорта")]
        with connection.cursor() as cursor:   # a hand edit: reviewed by its events, no assignee on the case
            cursor.execute("UPDATE applications_application SET assigned_to_id = NULL WHERE id = %s", [submitted.pk])
    finally:
        migrate_all_forward()   # the tests after this one find the schema whole
    after = {pk: (bytes(h), g, a) for pk, h, g, a in Application.objects.values_list(
        "id", "history", "granted", "assigned_to_id")}
    assert after == before     # the same bytes; the assignee taken from the take step again
    assert after[submitted.pk][2] == back.pk
