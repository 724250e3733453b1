from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from hromada.applications import deadlines
from hromada.applications.models import Application, Document, Status
from hromada.applications.services.documents import (
    add_missing_document,
    attach_document,
    attach_documents,
    remove_document,
)
from hromada.applications.services.files import inspect_upload
from hromada.applications.services.intake import create_application, submit_application
from hromada.audit.models import AuditEntry
from hromada.core.errors import Conflict, NotFound, ValidationFailed
from hromada.testing import case_events

from .factories import bomb_png, fill_required, pdf_bytes, png_bytes, upload

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def _code(exc_info):
    return exc_info.value.code


def test_pdf_accepted_with_pages_and_sha(draft, front):
    doc = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(pdf_bytes(3), "заява.pdf"))
    assert doc.content_type == "application/pdf" and doc.pages == 3 and len(doc.sha256) == 64
    assert doc.file.storage.exists(doc.file.name)
    assert doc.original_name == "заява.pdf"


def test_scan_hash_is_kept_as_32_bytes_and_read_as_hex(draft, front):
    """#24: the digest is stored once as bytes (half the row and index bytes); code and API keep the hex."""
    import hashlib

    from django.db import connection

    content = pdf_bytes(2)
    doc = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(content, "заява.pdf"))
    digest = hashlib.sha256(content).hexdigest()
    assert doc.sha256 == digest and digest in doc.file.name
    with connection.cursor() as cursor:
        cursor.execute("SELECT sha256 FROM applications_document WHERE id = %s", [doc.pk])
        assert bytes(cursor.fetchone()[0]) == bytes.fromhex(digest)
    assert Document.objects.get(application=draft, sha256=digest).pk == doc.pk
    assert Document.objects.filter(pk=doc.pk).values_list("sha256", flat=True).get() == digest


def test_png_accepted_whatever_the_extension(draft, front):
    doc = attach_document(actor=front, application_id=draft.pk, document_code="identity_document",
                          uploaded_file=upload(png_bytes(), "passport.pdf", "application/pdf"))
    assert doc.content_type == "image/png" and doc.pages == 1


def test_executable_named_pdf_refused(draft, front):
    with pytest.raises(ValidationFailed) as e:
        attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                        uploaded_file=upload(EXE, "заява.pdf"))
    assert _code(e) == "unsupported_file_type"
    assert not Document.objects.filter(application=draft).exists()


@pytest.mark.parametrize("content, code", [
    (pdf_bytes(1, password="secret"), "encrypted_pdf"),
    (b"%PDF-1.7\n" + b"garbage " * 200, "malformed_pdf"),
    (bomb_png(), "image_too_large"),
    (png_bytes()[:60], "malformed_image"),
])
def test_bad_scans_refused(content, code):
    with pytest.raises(ValidationFailed) as e:
        inspect_upload(upload(content))
    assert _code(e) == code


def test_size_and_page_limits():
    with override_settings(HROMADA_MAX_UPLOAD_BYTES=100):
        with pytest.raises(ValidationFailed) as e:
            inspect_upload(upload(pdf_bytes(1)))
        assert _code(e) == "file_too_large"
    with override_settings(HROMADA_MAX_PDF_PAGES=2):
        with pytest.raises(ValidationFailed) as e:
            inspect_upload(upload(pdf_bytes(3)))
        assert _code(e) == "too_many_pages"
        assert inspect_upload(upload(pdf_bytes(2))).pages == 2


def test_duplicate_file_refused(draft, front):
    content = pdf_bytes(1)
    attach_document(actor=front, application_id=draft.pk, document_code="application_form", uploaded_file=upload(content))
    with pytest.raises(ValidationFailed) as e:
        attach_document(actor=front, application_id=draft.pk, document_code="identity_document",
                        uploaded_file=upload(content, "copy.pdf"))
    assert _code(e) == "duplicate_file"


def test_the_same_file_twice_refused_on_every_path_and_nothing_saved(draft, front):
    """No unique index holds a case's hashes (applications/0020): each path that adds a scan refuses the same
    file by the hashes it read with the case locked — one scan at a time, several at once (against the case's and
    against each other), and a missing document brought after the submission."""
    known = pdf_bytes(1, seed=901)
    attach_document(actor=front, application_id=draft.pk, document_code="application_form", uploaded_file=upload(known))
    for uploads in ([("identity_document", upload(pdf_bytes(1, seed=902))), ("rnokpp", upload(known, "b.pdf"))],
                    [("identity_document", upload(pdf_bytes(1, seed=903))),
                     ("rnokpp", upload(pdf_bytes(1, seed=903), "again.pdf"))]):
        before = set(Document.objects.filter(application=draft).values_list("sha256", flat=True))
        with pytest.raises(ValidationFailed) as e:
            attach_documents(actor=front, application_id=draft.pk, uploads=uploads)
        assert _code(e) == "duplicate_file"
        assert set(Document.objects.filter(application=draft).values_list("sha256", flat=True)) == before

    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    count = Document.objects.filter(application=draft).count()
    with pytest.raises(ValidationFailed) as e:
        add_missing_document(actor=front, application_id=draft.pk, document_code="bank_details",
                             uploaded_file=upload(known, "bank.pdf"))
    assert _code(e) == "duplicate_file" and Document.objects.filter(application=draft).count() == count
    with pytest.raises(ValidationFailed) as e:   # the one-scan path hands a case at the back office to the same check
        attach_document(actor=front, application_id=draft.pk, document_code="bank_details",
                        uploaded_file=upload(known, "bank.pdf"))
    assert _code(e) == "duplicate_file" and Document.objects.filter(application=draft).count() == count
    # Another case may hold the same file: the check is per case.
    other = create_application(actor=front, service_code="birth_assistance", applicant_id=draft.applicant_person_id)
    attach_document(actor=front, application_id=other.pk, document_code="application_form", uploaded_file=upload(known))


def test_several_files_per_item_and_unknown_code(draft, front):
    for i in range(2):
        attach_document(actor=front, application_id=draft.pk, document_code="identity_document",
                        uploaded_file=upload(pdf_bytes(1, seed=i)))
    assert Document.objects.filter(application=draft, requirement_code="identity_document").count() == 2
    with pytest.raises(ValidationFailed) as e:
        attach_document(actor=front, application_id=draft.pk, document_code="nope", uploaded_file=upload(pdf_bytes(1)))
    assert _code(e) == "unknown_document_code"


def test_several_scans_attached_at_once_or_none(draft, front):
    codes = list(draft.service.documents.values_list("code", flat=True)[:3])
    before, entries = draft.version, AuditEntry.objects.filter(action="application.document_attach").count()
    docs = attach_documents(actor=front, application_id=draft.pk,
                            uploads=[(c, upload(pdf_bytes(seed=40 + i), f"{c}.pdf")) for i, c in enumerate(codes)])
    draft.refresh_from_db()
    assert [d.requirement_code for d in docs] == codes and draft.documents.count() == len(codes)
    assert draft.version == before + 1                      # one change of the case
    assert AuditEntry.objects.filter(action="application.document_attach").count() == entries + len(codes)
    with pytest.raises(ValidationFailed) as exc:           # one bad item: nothing of the batch is kept
        attach_documents(actor=front, application_id=draft.pk,
                         uploads=[(codes[0], upload(pdf_bytes(seed=60), "a.pdf")), ("no_such", upload(pdf_bytes(seed=61)))])
    assert _code(exc) == "unknown_document_code" and draft.documents.count() == len(codes)


def test_other_hromada_cannot_attach_or_remove(draft, front, front2):
    doc = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(pdf_bytes(1)))
    with pytest.raises(NotFound):
        attach_document(actor=front2, application_id=draft.pk, document_code="application_form",
                        uploaded_file=upload(pdf_bytes(2)))
    with pytest.raises(NotFound):
        remove_document(actor=front2, application_id=draft.pk, document_id=doc.pk)
    remove_document(actor=front, application_id=draft.pk, document_id=doc.pk)
    assert not Document.objects.filter(pk=doc.pk).exists()


def test_after_submit_only_missing_documents(draft, front):
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    with pytest.raises(Conflict):
        attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                        uploaded_file=upload(pdf_bytes(4)))
    doc_id = Document.objects.filter(application=draft).first().pk
    with pytest.raises(Conflict) as e:
        remove_document(actor=front, application_id=draft.pk, document_id=doc_id)
    assert _code(e) == "application_read_only"
    doc = add_missing_document(actor=front, application_id=draft.pk, document_code="bank_details",
                               uploaded_file=upload(pdf_bytes(1, seed=77)))
    assert doc.late is True
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    [event] = case_events(draft, "document_added")
    assert event.data["in_time"] is True and event.data["document_code"] == "bank_details"


def test_document_after_deadline_moves_application_date(draft, front):
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    past = timezone.localdate() - timedelta(days=40)
    Application.objects.filter(pk=draft.pk).update(documents_deadline=past, application_date=past)
    add_missing_document(actor=front, application_id=draft.pk, document_code="rnokpp",
                         uploaded_file=upload(pdf_bytes(1, seed=31)))
    app = Application.objects.get(pk=draft.pk)
    assert app.application_date == deadlines.application_date_for(timezone.localdate())
    assert app.due_date == deadlines.initial_due_date(app)
    assert [e.data["in_time"] for e in case_events(app, "document_added")] == [False]
