"""#24, bytes: a case's history keeps its action and states as one-byte codes (their places in ``EVENT_ACTIONS`` and
``EVENT_STATES``), packed in the case's own row (``Application.history``, ``HISTORY``: hromada.core.history,
migration 0022), read and written as the words."""
import importlib
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hromada.applications import workflow
from hromada.applications.models import EVENT_ACTIONS, EVENT_STATES, HISTORY, Application, Status
from hromada.applications.services.intake import submit_application
from hromada.core.fields import WordCodeField
from hromada.core.history import FORMAT, HistoryCorrupt
from hromada.testing import case_events

from .factories import fill_required

codes_migration = importlib.import_module("hromada.applications.migrations.0017_lean_event_codes")
history_migration = importlib.import_module("hromada.applications.migrations.0022_history_in_row")
pytestmark = pytest.mark.django_db


def _raw(pk) -> bytes:
    """The history's bytes as the database holds them (not through the model)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT history FROM applications_application WHERE id = %s", [pk])
        return bytes(cursor.fetchone()[0])


def _codes(action, from_status, to_status) -> bytes:
    return bytes([EVENT_ACTIONS.index(action), EVENT_STATES.index(from_status), EVENT_STATES.index(to_status)])


def test_every_word_the_workflow_writes_has_a_code():
    recorded_outside_the_table = {"create", "document_added", "document_removed"}   # record_event's own steps
    assert set(workflow.TRANSITIONS) | recorded_outside_the_table <= set(EVENT_ACTIONS)
    assert {t.target for t in workflow.TRANSITIONS.values()} <= set(EVENT_STATES)
    assert set(Status.values) <= set(EVENT_STATES)
    assert len(EVENT_ACTIONS) <= 256 and len(EVENT_STATES) <= 256       # a code is one byte
    assert len(set(EVENT_ACTIONS)) == len(EVENT_ACTIONS) and len(set(EVENT_STATES)) == len(EVENT_STATES)


def test_the_codes_are_the_migrations_own_and_only_grow():
    """A code names its word for ever: the model's vocabularies start with the ones 0017 converted the event rows
    by and 0022 packed the histories by, and the codec of the row is over the model's vocabularies."""
    for migration in (codes_migration, history_migration):
        assert EVENT_ACTIONS[:len(migration.ACTIONS)] == migration.ACTIONS
        assert EVENT_STATES[:len(migration.STATES)] == migration.STATES
    assert (HISTORY.actions, HISTORY.states) == (EVENT_ACTIONS, EVENT_STATES)


def test_the_history_is_stored_as_codes_and_read_as_words(draft, front):
    created = _raw(draft.pk)
    assert created[0] == FORMAT and created[1:4] == _codes("create", Status.DRAFT, Status.DRAFT)
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    stored = _raw(draft.pk)
    assert stored.startswith(created)                       # the submission was appended, nothing rewritten
    assert stored[len(created):len(created) + 3] == _codes("submit", Status.DRAFT, Status.SUBMITTED)
    [submit] = case_events(draft, "submit")
    assert (submit.from_status, submit.to_status, submit.actor_id) == (Status.DRAFT, Status.SUBMITTED, front.pk)
    assert [e.action for e in case_events(draft)] == ["create", "submit"]
    assert [e.to_status for e in case_events(draft)].count(Status.SUBMITTED) == 1


def test_a_history_of_every_word_round_trips_through_the_codec_and_the_database(draft):
    """Every action and every state, actors from none to large ids, times before and after the first event,
    texts and data: what is encoded is decoded the same, and the row gives back the very bytes it was given."""
    start = timezone.now()
    written = []
    for n, action in enumerate(EVENT_ACTIONS):
        for m, state in enumerate(EVENT_STATES):
            written.append(dict(
                action=action, from_status=EVENT_STATES[(m + n) % len(EVENT_STATES)], to_status=state,
                actor_id=[None, 0, 1, 127, 128, 2**31 - 1][(n + m) % 6],
                at=start + timedelta(microseconds=(-1) ** m * (n * 1_000_003 + m)),
                comment=["", "Нечіткий скан паспорта", "ʼ’—\u0000"][(n + m) % 3],
                data=[{}, {"items": ["identity_document"]}, {"amount": "1234.56", "n": n}][m % 3]))

    def told(events):
        return [(e.action, e.from_status, e.to_status, e.actor_id, e.at, e.comment, e.data) for e in events]

    expected = [(w["action"], w["from_status"], w["to_status"], w["actor_id"], w["at"], w["comment"], w["data"])
                for w in written]
    blob = b""
    for event in written:
        blob = HISTORY.append(blob, **event)
    read = HISTORY.decode(blob)
    assert told(read) == expected
    assert [e.id for e in read] == list(range(1, len(written) + 1))

    # The same events after the case's own: stored and read back byte for byte.
    whole = created = _raw(draft.pk)
    for event in written:
        whole = HISTORY.append(whole, **event)
    with transaction.atomic():
        Application.objects.filter(pk=draft.pk).update(history=whole)
    assert _raw(draft.pk) == whole and bytes(Application.objects.get(pk=draft.pk).history) == whole
    assert told(case_events(draft)) == told(HISTORY.decode(created)) + expected


def test_an_unknown_code_in_the_stored_bytes_is_refused_when_read(draft):
    good = _raw(draft.pk)
    assert HISTORY.decode(good)
    unknown_action = bytes([len(EVENT_ACTIONS)]) + good[2:4]
    unknown_state = _codes("document_added", Status.DRAFT, Status.DRAFT)[:2] + bytes([len(EVENT_STATES)])
    for event in (unknown_action, unknown_state):
        with pytest.raises(HistoryCorrupt, match="unknown word code"):
            HISTORY.decode(good + event + good[4:])
    # As a newer release (or a hand edit) could leave it in a row: appended, so the database lets it in.
    with transaction.atomic():
        Application.objects.filter(pk=draft.pk).update(history=good + unknown_action + good[4:])
    with pytest.raises(HistoryCorrupt):
        case_events(draft)
    with pytest.raises(HistoryCorrupt):
        HISTORY.decode(Application.objects.get(pk=draft.pk).history)


def test_a_word_outside_the_vocabulary_is_refused_before_anything_is_written(draft):
    before, in_hand = _raw(draft.pk), bytes(draft.history)
    with pytest.raises(ValueError, match="not in the history's vocabulary"), transaction.atomic():
        workflow.record_event(draft, "nonsense")
    with pytest.raises(ValueError, match="not in the history's vocabulary"), transaction.atomic():
        workflow.record_event(draft, "document_added", from_status="limbo")
    assert _raw(draft.pk) == before and bytes(draft.history) == in_hand
    with pytest.raises(ValueError, match="unknown application action"), transaction.atomic():
        workflow.transition(draft.pk, "nonsense")
    assert _raw(draft.pk) == before


def test_the_field_refuses_a_vocabulary_it_could_not_keep():
    """The codes of the other vocabularies in columns (a scan's type, ``Document.content_type``)."""
    with pytest.raises(ValueError, match="words\\[0\\]"):
        WordCodeField(words=("a", "b"))
    with pytest.raises(ValueError, match="twice"):
        WordCodeField(words=("", "a", "a"))
    field = WordCodeField(words=("", "a"))
    field.set_attributes_from_name("x")
    with pytest.raises(ValueError, match="code 5"):
        field.from_db_value(5, None, connection)
