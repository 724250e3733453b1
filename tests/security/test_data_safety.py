"""A crash in the middle of a state change leaves no half state: each service is one transaction.

Each test lets a service do its first write(s), then makes a later step raise (as a crash, a lost
connection or a bug would), and checks that nothing of the change remains — not the rows, not the status,
not the audit entry, not the history event.
"""
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hromada import testing
from hromada.applications.models import Application, Status
from hromada.audit.models import AuditChainHead, AuditEntry
from hromada.audit.services import chain_key, record, verify_chain
from hromada.testing import case_events

from . import scope_world as sw


class Crash(Exception):
    pass


def crash(*args, **kwargs):
    raise Crash("injected failure")


def _audit_count():
    return AuditEntry.objects.count()


def test_register_person_rolls_back_when_audit_fails(front, monkeypatch):
    from hromada.persons import services as person_services
    from hromada.persons.models import Person

    before, audit_before = Person.objects.count(), _audit_count()
    monkeypatch.setattr(person_services, "record", crash)   # after the person row is written
    with pytest.raises(Crash):
        person_services.register_person(actor=front, data={
            "last_name": "Відкатенко", "first_name": "Ольга", "birth_date": "1990-01-01", "sex": "F",
            "rnokpp": sw.valid_rnokpp(date(1990, 1, 1)), "address": {"settlement_code": sw.BARANIVKA}})
    assert Person.objects.count() == before
    assert not Person.objects.filter(last_name="Відкатенко").exists()
    assert _audit_count() == audit_before


def test_submit_rolls_back_when_a_late_step_fails(front, monkeypatch):
    from hromada.applications.services import intake
    from hromada.applications.tests.factories import fill_required, make_person

    person = make_person(front.office.hromada)
    app = intake.create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    fill_required(app, front)
    app.refresh_from_db()
    events_before, audit_before = len(case_events(app)), _audit_count()
    # The status transition (first write) succeeds; the audit entry after it crashes.
    monkeypatch.setattr(intake.audit, "record", crash)
    with pytest.raises(Crash):
        intake.submit_application(actor=front, application_id=app.pk, idempotency_key="crash-1")
    fresh = Application.objects.get(pk=app.pk)
    assert fresh.status == Status.DRAFT and fresh.submitted_at is None and fresh.version == app.version
    assert len(case_events(app)) == events_before
    assert _audit_count() == audit_before
    monkeypatch.undo()
    # …and the same request succeeds afterwards (the idempotency key was not burnt by the crash).
    intake.submit_application(actor=front, application_id=app.pk, idempotency_key="crash-1")
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED


def test_decision_rolls_back_when_sending_the_result_fails(front, back, monkeypatch):
    from hromada.applications.services import intake
    from hromada.applications.tests.factories import fill_required, make_person
    from hromada.backoffice import services as back_services
    from hromada.backoffice.models import Decision

    app = intake.create_application(actor=front, service_code="birth_assistance",
                                    applicant_id=make_person(front.office.hromada).pk)
    fill_required(app, front)
    intake.submit_application(actor=front, application_id=app.pk)
    back_services.take_application(actor=back, application_id=app.pk)
    taken = Application.objects.get(pk=app.pk)
    events_before, audit_before = len(case_events(app)), _audit_count()
    monkeypatch.setattr(back_services, "send_result", crash)   # after transition, Decision row and audit
    today = timezone.localdate()
    with pytest.raises(Crash):
        back_services.decide(actor=back, application_id=app.pk, outcome="granted", amount="500.00",
                             period_from=today, period_to=today)
    fresh = Application.objects.get(pk=app.pk)
    assert fresh.status == taken.status and fresh.decided_at is None and fresh.version == taken.version
    assert not Decision.objects.filter(application=app).exists()
    assert len(case_events(app)) == events_before
    assert _audit_count() == audit_before


def test_password_change_rolls_back_when_audit_fails(front2, monkeypatch):
    from hromada.accounts import services as account_services

    client = testing.ApiClient(front2)
    monkeypatch.setattr(account_services, "record", crash)
    with pytest.raises(Crash):
        account_services.change_password(user=front2, old_password="demo12345", new_password="Zx9-long-enough")
    front2.refresh_from_db()
    assert front2.check_password("demo12345")
    assert client.get("auth/me").status_code == 200   # tokens were not revoked either


def test_audit_append_is_atomic(front, monkeypatch):
    from hromada.audit import services as audit_services

    head = AuditChainHead.objects.filter(chain=chain_key(front.office.hromada_id))    # the chain front's entry opens
    head_before = head.values_list("last_id", "last_hash").first()
    assert head_before is not None        # the demo's entries made it: the crash below is in the append itself
    count = _audit_count()
    append = audit_services._append

    def append_then_crash(entries):
        append(entries)                   # the entry written and the head moved (PostgreSQL: one statement)
        raise Crash()

    monkeypatch.setattr(audit_services, "_append", append_then_crash)
    # An append is part of its caller's transaction (it adds no savepoint of its own): a crash after it leaves
    # nothing once that transaction ends, neither the entry nor a moved head.
    with pytest.raises(Crash), transaction.atomic():
        record(actor=front, action="test.crash")
    assert _audit_count() == count
    assert head.values_list("last_id", "last_hash").first() == head_before
    if connection.vendor != "postgresql":
        # SQLite moves the head by a save of its own after the insert: a crash between the two leaves nothing either.
        monkeypatch.setattr(audit_services, "_append", append)
        monkeypatch.setattr(AuditChainHead, "save", crash)
        with pytest.raises(Crash), transaction.atomic():
            record(actor=front, action="test.crash")
        assert _audit_count() == count
        assert head.values_list("last_id", "last_hash").first() == head_before
    monkeypatch.undo()
    record(actor=front, action="test.after_crash")
    assert verify_chain()[1] == []
