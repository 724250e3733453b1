"""#24, bytes: a scan's content type is kept as a two-byte code, read and written as the type (migration 0021)."""
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from hromada.applications.models import SCAN_TYPES, Document
from hromada.applications.services.documents import attach_document
from hromada.applications.services.files import ALLOWED

from .factories import pdf_bytes, png_bytes, upload

migration = importlib.import_module("hromada.applications.migrations.0021_lean_scan_types")
pytestmark = pytest.mark.django_db


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT content_type FROM applications_document WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_every_accepted_type_has_a_code_and_the_codes_only_grow():
    assert set(ALLOWED) <= set(SCAN_TYPES)
    assert SCAN_TYPES[:len(migration.TYPES)] == migration.TYPES
    assert Document._meta.get_field("content_type").words == SCAN_TYPES


def test_a_scan_keeps_its_type_as_a_code_and_tells_it_as_the_type(draft, front, api):
    pdf = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(pdf_bytes(1, seed=61)))
    png = attach_document(actor=front, application_id=draft.pk, document_code="identity_document",
                          uploaded_file=upload(png_bytes(), "scan.png"))
    assert (_raw(pdf.pk), _raw(png.pk)) == (SCAN_TYPES.index("application/pdf"), SCAN_TYPES.index("image/png"))
    assert Document.objects.get(pk=png.pk).content_type == "image/png"
    told = {d["id"]: d["content_type"] for d in api(front).get(f"applications/{draft.pk}").json()["documents"]}
    assert told == {pdf.pk: "application/pdf", png.pk: "image/png"}
    download = api(front).get(f"applications/{draft.pk}/documents/{png.pk}")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


@pytest.mark.django_db(transaction=True)   # the column's type changes (SQLite rebuilds the table)
def test_the_migration_converts_the_types_and_back(front, draft):
    doc = attach_document(actor=front, application_id=draft.pk, document_code="application_form",
                          uploaded_file=upload(pdf_bytes(1, seed=62)))
    before = list(Document.objects.order_by("id").values_list("id", "content_type", "sha256", "original_name"))
    try:
        with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_words(django_apps, editor)
        assert str(_raw(doc.pk)) == "application/pdf"
        with connection.cursor() as cursor:   # a type this release does not know stops the way back, changing nothing
            cursor.execute("UPDATE applications_document SET content_type = 'image/webp' WHERE id = %s", [doc.pk])
        with pytest.raises(RuntimeError, match="image/webp"), \
                connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_codes(django_apps, editor)
        assert str(_raw(doc.pk)) == "image/webp"
        with connection.cursor() as cursor:
            cursor.execute("UPDATE applications_document SET content_type = 'application/pdf' WHERE id = %s", [doc.pk])
    finally:
        with connection.schema_editor(atomic=connection.vendor == "postgresql") as editor:
            migration.to_codes(django_apps, editor)
    assert _raw(doc.pk) == SCAN_TYPES.index("application/pdf")
    assert list(Document.objects.order_by("id").values_list("id", "content_type", "sha256", "original_name")) == before
