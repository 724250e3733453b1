"""#24, bytes: a case's history keeps its action and states as two-byte codes, read and written as the words
(core.fields.WordCodeField, migration 0017)."""
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import FieldError, ValidationError
from django.db import connection, transaction

from hromada.applications import workflow
from hromada.applications.models import EVENT_ACTIONS, EVENT_STATES, Event, Status
from hromada.applications.services.intake import submit_application
from hromada.core.fields import WordCodeField

from .factories import fill_required

migration = importlib.import_module("hromada.applications.migrations.0017_lean_event_codes")
pytestmark = pytest.mark.django_db


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT action, from_status, to_status FROM applications_event WHERE id = %s", [pk])
        return cursor.fetchone()


def test_every_word_the_workflow_writes_has_a_code():
    recorded_outside_the_table = {"create", "document_added", "document_removed"}   # record_event's own steps
    assert set(workflow.TRANSITIONS) | recorded_outside_the_table <= set(EVENT_ACTIONS)
    assert set(Status.values) <= set(EVENT_STATES)


def test_the_codes_are_the_migrations_own_and_only_grow():
    """A code names its word for ever: the model's vocabularies start with the ones 0017 converted by."""
    assert EVENT_ACTIONS[:len(migration.ACTIONS)] == migration.ACTIONS
    assert EVENT_STATES[:len(migration.STATES)] == migration.STATES
    assert Event._meta.get_field("action").words == EVENT_ACTIONS


def test_the_history_is_stored_as_codes_and_read_as_words(draft, front):
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    event = Event.objects.get(application=draft, action="submit")
    assert (event.from_status, event.to_status) == (Status.DRAFT, Status.SUBMITTED)
    assert _raw(event.pk) == (EVENT_ACTIONS.index("submit"), EVENT_STATES.index("draft"),
                              EVENT_STATES.index("submitted"))
    assert list(Event.objects.filter(application=draft, action__in=["create", "submit"])
                .order_by("id").values_list("action", flat=True)) == ["create", "submit"]
    assert Event.objects.filter(application=draft, to_status=Status.SUBMITTED).count() == 1


def test_a_word_outside_the_vocabulary_is_refused_before_anything_is_written(draft):
    before = Event.objects.count()
    with pytest.raises(ValueError, match="not in the vocabulary"), transaction.atomic():
        workflow.record_event(draft, "nonsense")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        Event.objects.filter(action="nonsense").exists()
    assert Event.objects.count() == before


def test_only_whole_words_are_compared_and_a_clean_checks_the_vocabulary(draft):
    with pytest.raises(FieldError):
        Event.objects.filter(action__startswith="gr").exists()
    with pytest.raises(FieldError):
        Event.objects.filter(action__gt="grant").exists()
    event = Event.objects.filter(application=draft).first()
    event.full_clean()          # the word, not compared with the integer range
    event.action = "nonsense"
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "action" in refused.value.message_dict


def test_the_field_refuses_a_vocabulary_it_could_not_keep():
    with pytest.raises(ValueError, match="words\\[0\\]"):
        WordCodeField(words=("a", "b"))
    with pytest.raises(ValueError, match="twice"):
        WordCodeField(words=("", "a", "a"))
    field = WordCodeField(words=("", "a"))
    field.set_attributes_from_name("x")
    with pytest.raises(ValueError, match="code 5"):
        field.from_db_value(5, None, connection)


@pytest.mark.django_db(transaction=True)   # the columns' types change (SQLite rebuilds the table)
def test_the_migration_converts_the_words_and_back(front, draft):
    """0017 backwards gives the words, forwards the codes again, on both engines; the rows read the same."""
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    before = list(Event.objects.order_by("id").values_list("id", "action", "from_status", "to_status", "comment"))
    submit = Event.objects.get(application=draft, action="submit").pk
    try:
        with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_words(django_apps, editor)
        assert tuple(map(str, _raw(submit))) == ("submit", "draft", "submitted")
    finally:
        with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_codes(django_apps, editor)
    assert _raw(submit) == (EVENT_ACTIONS.index("submit"), EVENT_STATES.index("draft"),
                            EVENT_STATES.index("submitted"))
    assert list(Event.objects.order_by("id").values_list("id", "action", "from_status", "to_status", "comment")) \
        == before


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_on_a_word_it_does_not_know(front, draft):
    try:
        with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_words(django_apps, editor)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE applications_event SET action = 'mystery' WHERE application_id = %s", [draft.pk])
        with pytest.raises(RuntimeError, match="mystery"), \
                connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_codes(django_apps, editor)
        with connection.cursor() as cursor:   # nothing was changed: the words are still there
            cursor.execute("SELECT action FROM applications_event WHERE application_id = %s", [draft.pk])
            assert {row[0] for row in cursor.fetchall()} == {"mystery"}
            cursor.execute("UPDATE applications_event SET action = 'create' WHERE application_id = %s", [draft.pk])
    finally:
        with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_codes(django_apps, editor)
    assert set(Event.objects.filter(application=draft).values_list("action", flat=True)) == {"create"}
