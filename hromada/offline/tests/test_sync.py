"""Offline cases arrive exactly once, all or nothing, and conflicts are returned, never merged."""
import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hromada.applications.models import Application, Status
from hromada.demo.dataset import make_rnokpp
from hromada.persons.models import Person

BIRTH = date(1990, 5, 17)


def png(name="scan.png", color=(200, 10, 10)):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def payload(rnokpp, doc="123456789", last="Гнатюк"):
    return {"person": {"last_name": last, "first_name": "Олена", "patronymic": "Петрівна", "birth_date": BIRTH.isoformat(),
                       "sex": "F", "rnokpp": rnokpp, "id_document": {"type": "id_card", "number": doc},
                       "phone": "+380671234567", "is_idp": False, "address": {"settlement_code": None}},
            "service_code": "birth_assistance", "channel": "in_person"}


def files(color=(1, 2, 3)):
    return {"file:application_form": png("form.png", color), "file:identity_document": png("id.png", (9, 9, color[2])),
            "file:child_birth_certificate": png("birth.png", (color[0], 50, 50))}


def post(client, key, data, extra=None, color=(1, 2, 3)):
    own = {"author_id": client.user.pk, "desk_id": client.user.office_id} if client.user else {}
    form = {"client_key": key, "payload": json.dumps(data), **own, **(extra or {}), **files(color)}
    return client.post("offline/intake", form, files={})


def test_case_arrives_once_even_when_sent_twice(front, api):
    client = api(front)
    rnokpp = make_rnokpp(BIRTH, "F", 301)
    first = post(client, "case-1", payload(rnokpp))
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["status"] == "submitted" and body["replayed"] is False
    again = post(client, "case-1", payload(rnokpp))
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["number"] == body["number"]
    person = Person.objects.get(rnokpp=rnokpp)
    assert Application.objects.filter(applicant_person=person).count() == 1
    app = Application.objects.get(pk=body["id"])
    assert app.status == Status.SUBMITTED and app.documents.count() == 3


def test_person_registered_meanwhile_is_a_conflict_not_a_merge(front, front2, api):
    rnokpp = make_rnokpp(BIRTH, "F", 302)
    # Meanwhile the same resident was registered at another front office.
    assert post(api(front2), "elsewhere", payload(rnokpp, doc="222333444", last="Гнатюк")).status_code == 200
    client = api(front)
    res = post(client, "case-2", payload(rnokpp, doc="555666777"), color=(4, 5, 6))
    assert res.status_code == 409
    body = res.json()
    assert body["code"] == "person_conflict"
    existing = Person.objects.get(rnokpp=rnokpp)
    # Another hromada's resident: the conflict names nobody (no id, name, hromada or digits) — #16.
    assert body["details"]["elsewhere"] is True and "person_id" not in body["details"]
    assert body["details"]["candidates"] == [{"id": "registry", "match": "rnokpp", "elsewhere": True}]
    assert Application.objects.filter(hromada=front.office.hromada, applicant_person=existing).count() == 0
    # The specialist chooses the registry's person: the typed papers (here: name and birth date; the ID card
    # differs) prove the resident was at the desk, she is taken into this hromada's work, the case arrives once.
    res = post(client, "case-2", payload(rnokpp, doc="555666777"), {"use_existing_person_id": "registry"},
               color=(4, 5, 6))
    assert res.status_code == 200, res.content
    assert res.json()["person_id"] == existing.pk
    assert Person.objects.filter(rnokpp=rnokpp).count() == 1
    from hromada.persons.models import PersonLink

    assert PersonLink.objects.get(person=existing).hromada_id == front.office.hromada_id


def test_registry_choice_needs_matching_papers(front, front2, api):
    rnokpp = make_rnokpp(BIRTH, "F", 306)
    assert post(api(front2), "elsewhere-2", payload(rnokpp, doc="222333445", last="Гнатюк")).status_code == 200
    res = post(api(front), "case-6", payload(rnokpp, doc="555666778", last="Іваненко"),
               {"use_existing_person_id": "registry"})
    assert res.status_code == 404 and res.json()["code"] == "person_not_found"
    assert Application.objects.filter(applicant_person__rnokpp=rnokpp).count() == 1


def test_failure_in_the_middle_leaves_nothing(front, api):
    rnokpp = make_rnokpp(BIRTH, "F", 303)
    client = api(front)
    bad = payload(rnokpp)
    form = {"client_key": "case-3", "payload": json.dumps(bad), "author_id": front.pk, "desk_id": front.office_id,
            "file:application_form": png("a.png"),
            "file:identity_document": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
            "file:child_birth_certificate": png("c.png", (7, 7, 7))}
    res = client.post("offline/intake", form, files={})
    assert res.status_code == 422 and res.json()["code"] == "unsupported_file_type"
    assert not Person.objects.filter(rnokpp=rnokpp).exists()  # the person registration was rolled back too


@pytest.mark.parametrize("key", ["", "x" * 129])
def test_client_key_is_required(front, api, key):
    res = post(api(front), key, payload(make_rnokpp(BIRTH, "F", 304)))
    assert res.status_code == 422 and res.json()["code"] == "invalid_client_key"


def test_back_office_cannot_use_offline_intake(back, api):
    res = post(api(back), "k", payload(make_rnokpp(BIRTH, "F", 305)))
    assert res.status_code == 403


def test_offline_page_and_service_worker(front, client):
    client.force_login(front)
    html = client.get("/front/offline/").content.decode()
    assert "Прийом заяви без зв’язку" in html and "catalog-data" in html
    sw = client.get("/front/offline/sw.js")
    assert sw["Service-Worker-Allowed"] == "/front/" and "caches" in sw.content.decode()
