"""Races that only a real database shows: run on PostgreSQL (skipped on SQLite, which serialises writers)."""
import pytest
from django.db import connection

from hromada import testing
from hromada.applications.models import Application, Document, IdempotencyRecord
from hromada.applications.services.documents import attach_document
from hromada.applications.services.intake import create_application, submit_application
from hromada.core.errors import ValidationFailed
from hromada.testing import case_events, run_threads

from .factories import fill_required, make_person, pdf_bytes, upload

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")




@pytest.mark.django_db(transaction=True)
def test_numbers_unique_under_concurrent_intake():
    testing.ensure_demo()
    front = testing.user("front")
    person = make_person(front.office.hromada)

    def intake(_):
        actor = testing.user("front")
        return create_application(actor=actor, service_code="birth_assistance", applicant_id=person.pk).number

    numbers, errors = run_threads(8, intake)
    assert not errors, errors
    assert len(numbers) == 8 and len(set(numbers)) == 8
    seqs = sorted(int(n[-6:]) for n in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + 8))


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_with_same_key_submit_once():
    testing.ensure_demo()
    front = testing.user("front")
    person = make_person(front.office.hromada)
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    fill_required(app, front)

    def submit(_):
        return submit_application(actor=testing.user("front"), application_id=app.pk, idempotency_key="same").response

    answers, errors = run_threads(4, submit)
    assert not errors, errors
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert len(case_events(app.pk, "submit")) == 1
    assert IdempotencyRecord.objects.filter(application_id=app.pk).count() == 1
    assert Application.objects.get(pk=app.pk).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_the_same_file_uploaded_at_once_is_kept_once():
    """No unique index holds a case's hashes (applications/0020): the case's lock makes the second upload read the
    first one's hash, so it is refused; other files to the same case all go in."""
    testing.ensure_demo()
    front = testing.user("front")
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=make_person(
        front.office.hromada).pk)
    same = pdf_bytes(1, seed=4242)

    def attach(n):
        content = same if n < 4 else pdf_bytes(1, seed=5000 + n)
        try:
            return n, attach_document(actor=testing.user("front"), application_id=app.pk,
                                      document_code="identity_document", uploaded_file=upload(content, f"{n}.pdf")).pk
        except ValidationFailed as refused:
            return n, refused.code

    answers, errors = run_threads(6, attach)
    assert not errors, errors
    told = dict(answers)   # the thread's number → the scan's id, or the refusal's code
    assert [told[n] for n in range(4)].count("duplicate_file") == 3
    assert all(isinstance(told[n], int) for n in (4, 5))
    assert Document.objects.filter(application_id=app.pk).count() == 3
