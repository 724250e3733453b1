from datetime import date, timedelta

import pytest
from django.utils import timezone

from hromada.applications import deadlines
from hromada.applications.models import Application, IdempotencyRecord, Participant, Status
from hromada.applications.services.documents import attach_document
from hromada.applications.services.intake import (
    create_application,
    save_draft,
    submit_application,
    update_draft_details,
)
from hromada.applications.services.numbering import format_number, hromada_prefix
from hromada.applications.workflow import StaleVersion
from hromada.catalog.models import Timing
from hromada.core.errors import NotFound, ValidationFailed
from hromada.testing import case_events

from .factories import fill_required, make_person, pdf_bytes, upload


def test_number_is_readable_and_derived_from_hromada(draft, front):
    year = timezone.localdate().year
    assert hromada_prefix("UA18080010000090720") == "18-08-001"
    assert format_number("UA18080010000090720", 2026, 123) == "18-08-001-2026-000123"
    assert draft.number.startswith(f"18-08-001-{year}-")
    assert draft.status == Status.DRAFT and draft.front_office == front.office
    assert draft.hromada_id == front.office.hromada_id


def test_numbers_are_sequential_per_hromada(front, front2, person, person2):
    a = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    b = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    c = create_application(actor=front2, service_code="birth_assistance", applicant_id=person2.pk)
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1
    assert c.number.startswith("18-04-053-")


def test_participants_and_roles(front, person):
    child = make_person(front.office.hromada, first_name="Софія", birth_date=date(2025, 1, 2))
    rep = make_person(front.office.hromada, first_name="Іван", sex="M")
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk,
                             member_ids=[child.pk], participants=[(rep.pk, "representative")])
    roles = dict(Participant.objects.filter(application=app).values_list("person_id", "role"))
    assert roles == {child.pk: "family_member", rep.pk: "representative"}   # the applicant is the case's column
    assert app.applicant_person == person == Application.objects.get(pk=app.pk).applicant_person
    people = Application.objects.select_related("applicant_person").get(pk=app.pk).people
    assert [(p.person_id, p.role) for p in people][0] == (person.pk, "applicant")
    assert sorted((p.person_id, p.role) for p in people[1:]) == sorted([(child.pk, "family_member"),
                                                                        (rep.pk, "representative")])
    # The applicant is copied onto the case (billing's duplicate check reads it) and stays when members change.
    assert Application.objects.get(pk=app.pk).applicant_person_id == person.pk
    update_draft_details(actor=front, application_id=app.pk, members=[(child.pk, "family_member")])
    assert Application.objects.get(pk=app.pk).applicant_person_id == person.pk


def test_create_refuses_bad_input_and_other_hromadas_person(front, person, person2):
    with pytest.raises(ValidationFailed) as e:
        create_application(actor=front, service_code="nope", applicant_id=person.pk)
    assert e.value.code == "unknown_service"
    with pytest.raises(ValidationFailed) as e:
        create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk, channel="fax")
    assert e.value.code == "invalid_channel"
    with pytest.raises(NotFound):
        create_application(actor=front, service_code="birth_assistance", applicant_id=person2.pk)
    with pytest.raises(NotFound):
        create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk,
                           member_ids=[person2.pk])


def test_only_front_office_may_create(back, hadmin, person):
    from hromada.core.errors import Forbidden

    for user in (back, hadmin):
        with pytest.raises(Forbidden):
            create_application(actor=user, service_code="birth_assistance", applicant_id=person.pk)


def test_save_draft_keeps_data_and_checks_version(draft, front, front2):
    app = save_draft(actor=front, application_id=draft.pk, data={"note": "Мати одиначка"},
                     expected_version=draft.version)
    assert app.draft_data == {"note": "Мати одиначка"} and app.version == draft.version + 1
    with pytest.raises(StaleVersion):
        save_draft(actor=front, application_id=draft.pk, data={"note": "x"}, expected_version=draft.version)
    with pytest.raises(NotFound):
        save_draft(actor=front2, application_id=draft.pk, data={"note": "x"})


def test_checklist_and_incomplete_submit(draft, front):
    with pytest.raises(ValidationFailed) as e:
        submit_application(actor=front, application_id=draft.pk)
    assert e.value.code == "incomplete_application"
    missing = {m["document_code"] for m in e.value.details["missing"]}
    required = set(draft.service.documents.filter(timing=Timing.BEFORE_SUBMIT).values_list("code", flat=True))
    assert missing == required and "application_form" in missing
    assert all(m["title"] for m in e.value.details["missing"])
    attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                    uploaded_file=upload(pdf_bytes(2)))
    with pytest.raises(ValidationFailed) as e:
        submit_application(actor=front, application_id=draft.pk)
    assert {m["document_code"] for m in e.value.details["missing"]} == required - {"application_form"}
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_submit_routes_sets_dates_and_records_missing(draft, front, back):
    fill_required(draft, front)
    result = submit_application(actor=front, application_id=draft.pk)
    app = Application.objects.get(pk=draft.pk)
    assert result.response["status"] == "submitted" and result.response["number"] == app.number
    assert app.back_office_id == back.office_id
    assert app.first_submitted_at and app.submitted_at and app.draft_data == {}
    assert app.due_date == deadlines.initial_due_date(app)
    today = timezone.localdate()
    assert app.application_date == deadlines.application_date_for(today)
    # birth_assistance: rnokpp, child_residence, bank_details may follow within 1 month.
    assert app.documents_deadline == deadlines.add_months(today, 1)
    assert app.handover_late is False
    assert len(case_events(app, "submit")) == 1


def test_submit_idempotent_with_same_key(draft, front):
    fill_required(draft, front)
    first = submit_application(actor=front, application_id=draft.pk, idempotency_key="k-1")
    again = submit_application(actor=front, application_id=draft.pk, idempotency_key="k-1")
    assert again.replayed and again.response == first.response
    assert len(case_events(draft, "submit")) == 1
    assert IdempotencyRecord.objects.filter(key="k-1").count() == 1


def test_late_handover_flag(front, person):
    paper = timezone.localdate() - timedelta(days=10)
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk, channel="post",
                             paper_received_on=paper)
    assert app.application_date == deadlines.application_date_for(paper)
    fill_required(app, front)
    submit_application(actor=front, application_id=app.pk)
    assert Application.objects.get(pk=app.pk).handover_late is True


def test_recent_paper_is_not_late(front, person):
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk, channel="post",
                             paper_received_on=timezone.localdate())
    fill_required(app, front)
    submit_application(actor=front, application_id=app.pk)
    assert Application.objects.get(pk=app.pk).handover_late is False


def test_the_receipt_has_no_near_empty_second_page(draft, front):
    """The generation time used to spill alone onto page 2; it is in the footer now, and a typical case fits one
    page (newborn without a number included: "не присвоєно", not a "refusal")."""
    import io

    from pypdf import PdfReader

    from hromada.applications.services.receipts import build_receipt_pdf

    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    app = Application.objects.get(pk=draft.pk)
    pages = PdfReader(io.BytesIO(build_receipt_pdf(app))).pages
    assert len(pages) == 1
    assert "Сформовано" in pages[0].extract_text() and "Як дізнатися результат" in pages[0].extract_text()


def test_the_receipt_is_ukrainian_when_printed_from_the_english_interface(draft, front):
    """An official document is in the state language: the scans it lists are not under their English titles."""
    import io

    from django.utils import translation
    from pypdf import PdfReader

    from hromada.applications.services.receipts import build_receipt_pdf

    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    app = Application.objects.select_related("service").get(pk=draft.pk)
    assert app.documents.filter(requirement_code="application_form").exists()
    form = app.service.documents.get(code="application_form")
    assert form.title_en and form.title_en != form.title_uk
    with translation.override("en"):
        assert form.title == form.title_en                    # the screen shows English
        text = PdfReader(io.BytesIO(build_receipt_pdf(app))).pages[0].extract_text()
        assert translation.get_language() == "en"            # the interface's language is left as it was
    flat = " ".join(text.split())
    assert form.title_uk in flat and form.title_en not in flat
