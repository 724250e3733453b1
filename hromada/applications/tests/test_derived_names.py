"""#24, one copy of each hash: a scan's and a receipt's stored name is derived from the row (case, month, hash) and
kept as '' when it is that name; any other name is kept whole (core.fields.DerivedNameFileField, migration 0015)."""
import hashlib
import importlib
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from hromada.applications.models import Application, Document, Receipt
from hromada.applications.services.documents import attach_document
from hromada.applications.services.intake import create_application, submit_application
from hromada.applications.services.receipts import store_receipt
from hromada.applications.services.sweep import sweep_orphan_files

from .factories import fill_required, make_person, pdf_bytes, upload

migration = importlib.import_module("hromada.applications.migrations.0015_lean_derived_names")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(table, pk, column="file"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (test constants)
        return cursor.fetchone()[0]


def test_a_scan_under_its_derived_name_stores_no_name_and_reads_it_back(draft, front):
    content = pdf_bytes(2)
    doc = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(content, "заява.pdf"))
    digest = hashlib.sha256(content).hexdigest()
    expected = f"documents/{draft.registered_at.astimezone(UTC):%Y/%m}/{draft.pk}/{digest}"
    assert doc.file.name == expected
    assert _stored("applications_document", doc.pk) == ""
    loaded = Document.objects.get(pk=doc.pk)
    assert loaded.file.name == expected
    with loaded.file.open("rb") as f:
        assert f.read() == content
    assert Document.objects.only("id").get(pk=doc.pk).file.name == expected   # deferred, then loaded


def test_a_scan_that_storage_named_otherwise_keeps_its_name_whole(draft, front):
    content = pdf_bytes(3)
    digest = hashlib.sha256(content).hexdigest()
    derived = f"documents/{draft.registered_at.astimezone(UTC):%Y/%m}/{draft.pk}/{digest}"
    default_storage.save(derived, ContentFile(b"left by a killed transaction"))   # the derived name is taken
    doc = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(content, "заява.pdf"))
    assert doc.file.name != derived and doc.file.name.startswith(derived)
    assert _stored("applications_document", doc.pk) == doc.file.name
    with Document.objects.get(pk=doc.pk).file.open("rb") as f:
        assert f.read() == content


def test_a_receipt_stores_no_name_and_its_key_as_16_bytes(draft, front):
    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    receipt = store_receipt(application_id=draft.pk)
    assert receipt.file.name == f"receipts/{draft.pk}/{receipt.sha256}.pdf"
    assert _stored("applications_receipt", receipt.pk) == ""
    assert bytes(_stored("applications_receipt", receipt.pk, "content_key")) == bytes.fromhex(receipt.content_key)
    loaded = Receipt.objects.get(pk=receipt.pk)
    assert len(loaded.content_key) == 32
    with loaded.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    assert store_receipt(application_id=draft.pk).pk == receipt.pk   # same key: the stored one is reused
    # A receipt stored when keys were 32 bytes: its first 16 are the key, and it is reused too.
    Receipt.objects.filter(pk=receipt.pk).update(content_key=receipt.content_key + "5a" * 16)
    assert store_receipt(application_id=draft.pk).pk == receipt.pk
    Receipt.objects.filter(pk=receipt.pk).update(content_key="5a" * 16 + receipt.content_key)
    assert store_receipt(application_id=draft.pk).pk != receipt.pk   # another key: a new receipt


def test_the_sweep_keeps_files_named_by_rows_either_way(draft, front, media):
    import os
    import time

    derived = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                              uploaded_file=upload(pdf_bytes(4), "a.pdf"))
    content = pdf_bytes(5)
    taken = (f"documents/{draft.registered_at.astimezone(UTC):%Y/%m}/{draft.pk}/"
             f"{hashlib.sha256(content).hexdigest()}")
    left = default_storage.save(taken, ContentFile(b"left"))
    whole = attach_document(actor=front, application_id=draft.pk, document_code="identity_document",
                            uploaded_file=upload(content, "b.pdf"))
    # An orphan under a name shaped like a derived one: the hash of no row of that case.
    orphan = default_storage.save(f"documents/2026/01/{draft.pk}/{'ab' * 32}", ContentFile(b"x"))
    day_ago = time.time() - 24 * 3600
    for name in (derived.file.name, whole.file.name, left, orphan):
        os.utime(media / name, (day_ago, day_ago))
    assert sorted(sweep_orphan_files(older_than_hours=6, dry_run=True)) == sorted([left, orphan])
    # Kept when in doubt: a row of the case with the file's hash and a derived name keeps the file, even if the
    # name derived from it were now another (what it derives from must not change; a sweep does not bet on it).
    Application.objects.filter(pk=draft.pk).update(registered_at=draft.registered_at.replace(year=2020))
    assert Document.objects.get(pk=derived.pk).file.name != derived.file.name
    assert sorted(sweep_orphan_files(older_than_hours=6, dry_run=True)) == sorted([left, orphan])


def test_a_dump_writes_the_stored_form_without_reading_the_cases(draft, front, django_assert_num_queries):
    """dumpdata and the JSON backup serialize what the row stores ('' for a derived name): a restore (loaddata, raw
    saves) writes the same rows back, and the dump reads no case per scan."""
    from django.core import serializers

    fill_required(draft, front)
    submit_application(actor=front, application_id=draft.pk)
    store_receipt(application_id=draft.pk)
    docs = list(Document.objects.filter(application=draft))
    receipts = list(Receipt.objects.filter(application=draft))
    assert len(docs) > 1 and receipts
    with django_assert_num_queries(0):
        dumped = serializers.serialize("json", docs + receipts)
    import json

    assert {row["fields"]["file"] for row in json.loads(dumped)} == {""}
    Document.objects.filter(application=draft).update(file="stale")
    for obj in serializers.deserialize("json", dumped):
        obj.save()   # raw, as loaddata saves
    assert {_stored("applications_document", d.pk) for d in docs} == {""}
    assert Document.objects.get(pk=docs[0].pk).file.name == docs[0].file.name   # read back whole


def test_a_scan_read_through_its_case_needs_no_second_read_of_it(draft, front, django_assert_num_queries):
    from hromada.applications.services.documents import document_for_download

    doc = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(pdf_bytes(6), "a.pdf"))
    found = document_for_download(actor=front, application_id=draft.pk, document_id=doc.pk)
    with django_assert_num_queries(0):
        assert found.file.name == doc.file.name


def _old_names(app, doc, receipt):
    """Write the names as they were stored before 0015 (whole)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE applications_document SET file = %s WHERE id = %s", [doc.file.name, doc.pk])
        cursor.execute("UPDATE applications_receipt SET file = %s WHERE id = %s", [receipt.file.name, receipt.pk])


@pytest.mark.parametrize("registered_at", [
    datetime(2026, 3, 31, 22, 30, tzinfo=UTC),   # 1 April in Kyiv: the name has March (UTC)
    datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
])
def test_the_migration_derives_each_name_exactly_as_the_model_does(front, registered_at):
    """The SQL of 0015, forwards and backwards, against ``upload_to`` on both engines, at the months' edges."""
    app = create_application(actor=front, service_code="birth_assistance",
                             applicant_id=make_person(front.office.hromada).pk)
    Application.objects.filter(pk=app.pk).update(registered_at=registered_at)
    app = Application.objects.get(pk=app.pk)
    fill_required(app, front)
    submit_application(actor=front, application_id=app.pk)
    doc = Document.objects.filter(application=app).first()
    receipt = store_receipt(application_id=app.pk)
    doc_name = Document.objects.get(pk=doc.pk).file.name
    assert f"/{registered_at:%Y/%m}/" in doc_name
    odd = Document.objects.filter(application=app).exclude(pk=doc.pk).first()
    Document.objects.filter(pk=odd.pk).update(file="documents/elsewhere/kept")   # not derived: stays whole
    _old_names(app, doc, receipt)
    assert _stored("applications_document", doc.pk) == doc_name

    editor = SimpleNamespace(connection=connection)   # the functions use only its connection (no DDL)
    migration.blank_derived_names(None, editor)
    assert _stored("applications_document", doc.pk) == ""
    assert _stored("applications_receipt", receipt.pk) == ""
    assert _stored("applications_document", odd.pk) == "documents/elsewhere/kept"
    assert Document.objects.get(pk=doc.pk).file.name == doc_name
    assert Receipt.objects.get(pk=receipt.pk).file.name == f"receipts/{app.pk}/{receipt.sha256}.pdf"

    migration.write_derived_names(None, editor)
    assert _stored("applications_document", doc.pk) == doc_name
    assert _stored("applications_receipt", receipt.pk) == f"receipts/{app.pk}/{receipt.sha256}.pdf"
    assert _stored("applications_document", odd.pk) == "documents/elsewhere/kept"
