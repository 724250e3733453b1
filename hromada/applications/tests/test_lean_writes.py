"""The write path's shortcuts (#24, point 1) answer and write what the long way did: a scan locks its case by the
UPDATE that moves the version (once, also for a missing document brought after submission; a refusal moves
nothing), a submission asks for the checklist's missing codes in one query (the same codes as the checklist), a new
case's participants and their access grant go in one round trip."""
import pytest

from hromada.applications import selectors
from hromada.applications.models import Application, Participant
from hromada.applications.services.documents import attach_document
from hromada.applications.services.intake import create_application, save_draft, submit_application
from hromada.applications.workflow import StaleVersion
from hromada.catalog.models import Timing
from hromada.core.errors import Conflict, NotFound, ValidationFailed
from hromada.persons.models import PersonAccess, PersonLink
from hromada.territory.models import Category, Unit

from .factories import fill_required, make_person, pdf_bytes, upload


def _version(app):
    return Application.objects.values_list("version", flat=True).get(pk=app.pk)


def test_a_scan_moves_the_version_once_and_a_stale_form_is_refused(draft, front):
    before = _version(draft)
    attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                    uploaded_file=upload(pdf_bytes(1, seed=501)))
    assert _version(draft) == before + 1
    with pytest.raises(StaleVersion):   # a form opened before the scan
        save_draft(actor=front, application_id=draft.pk, data={}, expected_version=before)


@pytest.mark.parametrize("code, content, error", [
    ("no_such_item", pdf_bytes(1, seed=502), "unknown_document_code"),
    ("identity_document", pdf_bytes(1, seed=503), "duplicate_file"),
])
def test_a_refused_scan_moves_nothing(draft, front, code, content, error):
    attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                    uploaded_file=upload(pdf_bytes(1, seed=503)))
    before, scans = _version(draft), draft.documents.count()
    with pytest.raises(ValidationFailed) as exc:
        attach_document(actor=front, application_id=draft.pk, document_code=code, uploaded_file=upload(content))
    assert exc.value.code == error
    assert (_version(draft), draft.documents.count()) == (before, scans)


def test_outside_the_scope_not_found_and_nothing_moves(draft, front2):
    before = _version(draft)
    for application_id in (draft.pk, 10**9):
        with pytest.raises(NotFound):
            attach_document(actor=front2, application_id=application_id, document_code="application_form",
                            uploaded_file=upload(pdf_bytes(1, seed=504)))
    assert _version(draft) == before


def test_a_missing_document_after_submission_moves_the_version_once(draft, front):
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    before = _version(draft)
    attach_document(actor=front, application_id=draft.pk, document_code="bank_details",
                    uploaded_file=upload(pdf_bytes(1, seed=505)))
    assert _version(draft) == before + 1
    with pytest.raises(Conflict):   # brought already: refused, the version stays
        attach_document(actor=front, application_id=draft.pk, document_code="bank_details",
                        uploaded_file=upload(pdf_bytes(1, seed=506)))
    assert _version(draft) == before + 1


def test_missing_codes_in_one_query_are_the_checklists(draft, front, django_assert_num_queries):
    def by_checklist():
        items = selectors.checklist(Application.objects.get(pk=draft.pk))
        return {t: c for t in Timing.values if (c := [i.document_code for i in selectors.missing(items, t)])}

    def check():
        app = Application.objects.get(pk=draft.pk)
        with django_assert_num_queries(1):
            codes = selectors.not_provided(app)
        assert codes == by_checklist()
        return codes

    assert check().get(Timing.BEFORE_SUBMIT)                     # nothing attached yet
    attach_document(actor=front, application_id=draft.pk, document_code="rnokpp",
                    uploaded_file=upload(pdf_bytes(1, seed=9001)))  # a "may follow" one first
    check()
    fill_required(draft, front)
    assert not check().get(Timing.BEFORE_SUBMIT)


def test_participants_and_their_access_written_together(front, person):
    person2 = make_person(front.office.hromada, last_name="Сидоренко", first_name="Олег", sex="M")
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk,
                             member_ids=[person2.pk])
    stored = list(Participant.objects.filter(application=app).order_by("pk").values_list("pk", "person_id", "role"))
    in_hand = [(p.pk, p.person_id, p.role) for p in app.participants.all()]
    # The applicant is the case's own column; the member is the one participant row.
    assert in_hand == stored and [(pid, r) for _pk, pid, r in stored] == [(person2.pk, "family_member")]
    assert app.applicant_person_id == person.pk

    # Both are the hromada's own residents, whom its staff see through the home part: no row of access.
    assert not PersonAccess.objects.filter(person_id__in=[person.pk, person2.pk]).exists()

    # A resident of another hromada (taken into the desk's work) taking part gets her row, written with the case's.
    other = Unit.objects.filter(category=Category.HROMADA).exclude(pk=front.office.hromada_id).order_by("pk").first()
    stranger = make_person(other, last_name="Приїжджа", first_name="Олена")
    PersonLink.objects.create(person=stranger, hromada=front.office.hromada, linked_by=front, reason="rnokpp_document")
    alone = create_application(actor=front, service_code="birth_assistance", applicant_id=stranger.pk)
    assert not Participant.objects.filter(application=alone).exists() and alone.applicant_person_id == stranger.pk
    assert list(PersonAccess.objects.values_list("hromada_id", "person_id")) == [(alone.hromada_id, stranger.pk)]
