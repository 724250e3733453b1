"""The offline desk belongs to one specialist at one desk (issue 16, finding 6), and a case whose transaction
fails leaves no scan behind (finding 10)."""
import json
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from hromada.applications.models import Application, Document
from hromada.applications.services import documents as document_services
from hromada.applications.services import intake
from hromada.applications.services.sweep import sweep_orphan_files
from hromada.applications.tests.factories import make_person, pdf_bytes, upload
from hromada.demo.dataset import make_rnokpp
from hromada.ops.tasks import sweep_orphan_files as task
from hromada.persons.models import Person

from .test_sync import BIRTH, files, payload


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def send(client, key, rnokpp, **own):
    form = {"client_key": key, "payload": json.dumps(payload(rnokpp)), **own, **files()}
    return client.post("offline/intake", form, files={})


def test_case_saved_by_another_user_is_refused(front, front2, api):
    rnokpp = make_rnokpp(BIRTH, "F", 501)
    # Saved in the browser by front2 (another hromada), sent while front is signed in.
    res = send(api(front), "theirs", rnokpp, author_id=front2.pk, desk_id=front2.office_id)
    assert res.status_code == 403
    assert res.json()["code"] == "offline_author_mismatch"
    assert not Person.objects.filter(rnokpp=rnokpp).exists()


def test_case_from_another_desk_is_refused(front, front2, api):
    res = send(api(front), "other-desk", make_rnokpp(BIRTH, "F", 502), author_id=front.pk, desk_id=front2.office_id)
    assert res.status_code == 403 and res.json()["code"] == "offline_author_mismatch"


def test_case_without_author_is_refused(front, api):
    res = send(api(front), "anonymous", make_rnokpp(BIRTH, "F", 503))
    assert res.status_code == 422 and res.json()["code"] == "offline_author_required"


def test_own_case_arrives(front, api):
    res = send(api(front), "mine", make_rnokpp(BIRTH, "F", 504), author_id=front.pk, desk_id=front.office_id)
    assert res.status_code == 200, res.content


def test_failed_offline_case_leaves_no_scan(front, api, media, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("injected failure after the scans were written")

    monkeypatch.setattr(intake, "submit_application", fail)
    rnokpp = make_rnokpp(BIRTH, "F", 505)
    with pytest.raises(RuntimeError):
        send(api(front), "fails", rnokpp, author_id=front.pk, desk_id=front.office_id)
    assert not Person.objects.filter(rnokpp=rnokpp).exists()
    assert stored_files(media) == []


def test_failed_attach_leaves_no_scan(front, media, monkeypatch):
    app = intake.create_application(actor=front, service_code="birth_assistance",
                                    applicant_id=make_person(front.office.hromada).pk)

    def fail(**kwargs):
        raise RuntimeError("injected failure in the audit append")

    monkeypatch.setattr(document_services.audit, "record", fail)
    with pytest.raises(RuntimeError):
        document_services.attach_document(actor=front, application_id=app.pk, document_code="application_form",
                                          uploaded_file=upload(pdf_bytes(seed=5), "form.pdf"))
    assert not Document.objects.filter(application=app).exists()
    assert stored_files(media) == []


def test_sweep_removes_old_files_without_a_row(front, media):
    app = intake.create_application(actor=front, service_code="birth_assistance",
                                    applicant_id=make_person(front.office.hromada).pk)
    doc = document_services.attach_document(actor=front, application_id=app.pk, document_code="application_form",
                                            uploaded_file=upload(pdf_bytes(seed=6), "form.pdf"))
    old_orphan = default_storage.save(f"documents/2026/01/{app.pk}/orphan", ContentFile(b"%PDF-1.4"))
    young_orphan = default_storage.save(f"documents/2026/01/{app.pk}/young", ContentFile(b"%PDF-1.4"))
    day_ago = time.time() - 24 * 3600
    for name in (old_orphan, doc.file.name):
        os.utime(media / name, (day_ago, day_ago))
    assert sweep_orphan_files(older_than_hours=6, dry_run=True) == [old_orphan]
    assert (media / old_orphan).exists()
    call_command("sweep_orphan_files", "--older-than-hours", "6")
    assert stored_files(media) == sorted([doc.file.name, young_orphan])
    assert Application.objects.get(pk=app.pk).documents.count() == 1


def test_sweep_runs_nightly(media, db, settings):
    assert settings.CELERY_BEAT_SCHEDULE["sweep-orphan-files"]["task"] == task.name
    orphan = default_storage.save("receipts/999999/orphan.pdf", ContentFile(b"%PDF-1.4"))
    day_ago = time.time() - 24 * 3600
    os.utime(media / orphan, (day_ago, day_ago))
    assert task() == 1
    assert stored_files(media) == []
