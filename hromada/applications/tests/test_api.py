import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from hromada.applications.models import Application, Receipt, Status
from hromada.applications.services.intake import create_application, update_draft_details
from hromada.audit.models import AuditEntry
from hromada.testing import case_events

from .factories import bomb_png, make_person, pdf_bytes, png_bytes, upload

EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 100


def _create(client, person, **extra):
    res = client.post("applications", {"service_code": "birth_assistance", "applicant_id": person.pk,
                                       "member_ids": [], "channel": "in_person", **extra})
    assert res.status_code == 201, res.content
    return res.json()


def _upload(client, app_id, code, content, name="scan.pdf"):
    return client.post(f"applications/{app_id}/documents", {"document_code": code},
                       files={"file": upload(content, name)})


def _fill(client, body):
    seed = 0
    for item in body["checklist"]:
        if item["required"]:
            seed += 1
            res = _upload(client, body["id"], item["document_code"], pdf_bytes(seed % 3 + 1, seed=seed))
            assert res.status_code == 201, res.content


def test_create_get_checklist(front, person, api):
    client = api(front)
    body = _create(client, person)
    assert body["status"] == "draft" and body["number"].startswith("18-08-001-")
    assert body["service_code"] == "birth_assistance" and body["hromada_code"] == "UA18080010000090720"
    items = {i["document_code"]: i for i in body["checklist"]}
    assert items["application_form"] == {**items["application_form"], "required": True, "provided": False}
    assert items["rnokpp"]["required"] is False and items["rnokpp"]["timing"] == "may_follow"
    assert items["rnokpp"]["deadline"]
    assert items["representative_authority"]["condition"]
    res = client.get(f"applications/{body['id']}")
    assert res.status_code == 200 and res.json()["number"] == body["number"]
    assert set(res.json()) >= {"number", "status", "checklist", "version", "due_date", "missing_documents"}


def test_create_validation_errors(front, person, person2, api):
    client = api(front)
    res = client.post("applications", {"service_code": "nope", "applicant_id": person.pk, "channel": "in_person"})
    assert res.status_code == 422 and res.json()["code"] == "unknown_service" and res.json()["message"]
    res = client.post("applications", {"service_code": "birth_assistance", "applicant_id": person2.pk})
    assert res.status_code == 404
    res = client.post("applications", {"service_code": "birth_assistance"})
    assert res.status_code == 422 and res.json()["code"] == "validation_error"


def test_upload_sniffing_over_api(front, person, api):
    client = api(front)
    body = _create(client, person)
    res = _upload(client, body["id"], "application_form", EXE, "заява.pdf")
    assert res.status_code == 422 and res.json()["code"] == "unsupported_file_type"
    res = _upload(client, body["id"], "application_form", bomb_png(), "a.png")
    assert res.status_code == 422 and res.json()["code"] == "image_too_large"
    res = _upload(client, body["id"], "application_form", pdf_bytes(1, password="x"))
    assert res.status_code == 422 and res.json()["code"] == "encrypted_pdf"
    res = _upload(client, body["id"], "identity_document", png_bytes(), "p.png")
    assert res.status_code == 201 and res.json()["content_type"] == "image/png"
    doc_id = res.json()["id"]
    res = _upload(client, body["id"], "application_form", png_bytes(), "again.png")
    assert res.status_code == 422 and res.json()["code"] == "duplicate_file"
    # Download is scoped and audited.
    res = client.get(f"applications/{body['id']}/documents/{doc_id}")
    assert res.status_code == 200 and b"".join(res.streaming_content) == png_bytes()
    assert AuditEntry.objects.filter(action="application.document_download", object_id=str(body["id"])).exists()


def test_incomplete_submit_lists_missing(front, person, api):
    client = api(front)
    body = _create(client, person)
    res = client.post(f"applications/{body['id']}/submit")
    assert res.status_code == 422
    err = res.json()
    assert err["code"] == "incomplete_application"
    codes = {m["document_code"] for m in err["details"]["missing"]}
    assert codes == {"application_form", "identity_document", "child_birth_certificate"}


def test_submit_idempotent_and_receipt(front, back, person, api, django_capture_on_commit_callbacks):
    client = api(front)
    body = _create(client, person)
    _fill(client, body)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"applications/{body['id']}/submit", **{"Idempotency-Key": "abc-1"})
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["status"] == "submitted" and data["id"] == body["id"] and data["number"] == body["number"]
    assert data["back_office"] == back.office.name and data["due_date"]
    # The first answer was "lost": the client retries with the same key.
    again = client.post(f"applications/{body['id']}/submit", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert again.status_code == 200 and again.json() == data, again.json()
    assert len(case_events(body["id"], "submit")) == 1
    # Without the key a second submit is an illegal transition, not a second submission.
    res = client.post(f"applications/{body['id']}/submit")
    assert res.status_code == 409 and res.json()["code"] == "illegal_transition"
    assert Receipt.objects.filter(application_id=body["id"]).count() == 1  # rendered on commit by the task
    res = client.get(f"applications/{body['id']}/receipt.pdf")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(res.streaming_content))).pages)
    text = " ".join(text.split())
    assert "Повідомлення про прийняття заяви" in text
    assert body["number"] in text and "Допомога при народженні дитини" in text
    assert "Заява встановленого зразка" in text and "Реквізити рахунку для виплати" in text  # accepted + missing
    assert person.full_name in text and person.rnokpp[-4:] in text and person.rnokpp not in text
    assert "+380414421234" in text  # how to learn the result: the office phone
    assert AuditEntry.objects.filter(action="application.receipt_download", object_id=str(body["id"])).exists()


def test_receipt_rendered_on_demand_and_not_for_drafts(front, person, api):
    client = api(front)
    body = _create(client, person)
    assert client.get(f"applications/{body['id']}/receipt.pdf").status_code == 409
    _fill(client, body)
    assert client.post(f"applications/{body['id']}/submit").status_code == 200
    assert not Receipt.objects.filter(application_id=body["id"]).exists()  # on_commit not run in this test
    res = client.get(f"applications/{body['id']}/receipt.pdf")
    assert res.status_code == 200 and Receipt.objects.filter(application_id=body["id"]).count() == 1


def test_other_hromada_gets_404_everywhere(front, front2, back2, person, api):
    client = api(front)
    body = _create(client, person)
    _upload(client, body["id"], "application_form", pdf_bytes(1))
    doc_id = Application.objects.get(pk=body["id"]).documents.first().pk
    for user in (front2, back2):
        other = api(user)
        app_id = body["id"]
        assert other.get(f"applications/{app_id}").status_code == 404
        assert other.get(f"applications/{app_id}/history").status_code == 404
        assert other.get(f"applications/{app_id}/documents/{doc_id}").status_code == 404
        assert other.get(f"applications/{app_id}/receipt.pdf").status_code == 404
        # Another desk: not found. A back office may never take in, issue or withdraw: 403 whatever the case.
        refused = 404 if user == front2 else 403
        assert other.post(f"applications/{app_id}/submit").status_code == refused
        assert _upload(other, app_id, "identity_document", pdf_bytes(2)).status_code == refused
        for action in ("resubmit", "issue", "withdraw"):
            assert other.post(f"applications/{app_id}/{action}").status_code == refused
        assert other.get("applications").json()["count"] == 0 or all(
            i["id"] != app_id for i in other.get("applications").json()["items"])


def test_back_office_does_not_see_drafts(front, back, person, api):
    body = _create(api(front), person)
    assert api(back).get(f"applications/{body['id']}").status_code == 404


def test_list_filters_paging_and_query_count(front, front2, person, person2, api):
    client = api(front)
    base = client.get("applications", {"service_code": "birth_assistance"}).json()["count"]  # the demo's cases
    for _ in range(3):
        create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    create_application(actor=front, service_code="low_income_family", applicant_id=person.pk)
    create_application(actor=front2, service_code="birth_assistance", applicant_id=person2.pk)
    res = client.get("applications", {"service_code": "birth_assistance"})
    assert res.status_code == 200
    body = res.json()
    assert body["count"] == base + 3 and body["page"] == 1 and body["pages"] == 1 and len(body["items"]) == base + 3
    assert all(i["hromada_code"] == "UA18080010000090720" for i in body["items"])
    submitted = client.get("applications", {"status": "submitted"}).json()
    assert all(i["status"] == "submitted" for i in submitted["items"])
    assert client.get("applications", {"hromada": "UA18040530000045696"}).json()["count"] == 0
    assert client.get("applications", {"status": "bogus"}).json()["code"] == "invalid_status"
    with CaptureQueriesContext(connection) as few:
        first = client.get("applications").json()["count"]
    for _ in range(5):
        create_application(actor=front, service_code="birth_assistance",
                           applicant_id=make_person(front.office.hromada).pk)
    with CaptureQueriesContext(connection) as many:
        res = client.get("applications")
    assert res.json()["count"] == first + 5
    assert len(many) == len(few) <= 10


def test_history_tells_what_the_case_keeps_and_its_events_do_not_store(front, person, api):
    """#24, bytes: what the case keeps for good is told from the case, not stored again with its events — the
    service it was created with and the usual channel, the back office it was submitted to and an empty "may follow"
    list; the history's data are what they were. Any other channel is stored: a draft may change its channel."""
    client = api(front)
    body = _create(client, person)
    for seed, item in enumerate(body["checklist"], start=1):   # every item: none left to follow
        assert _upload(client, body["id"], item["document_code"], pdf_bytes(1, seed=seed)).status_code == 201
    assert client.post(f"applications/{body['id']}/submit").status_code == 200
    stored = {e.action: e.data for e in case_events(body["id"])}
    assert stored["create"] == {} and stored["submit"] == {}

    told = {e["action"]: e["data"] for e in client.get(f"applications/{body['id']}/history").json()}
    assert told["create"] == {"service": "birth_assistance", "channel": "in_person"}
    assert told["submit"] == {"back_office": Application.objects.get(pk=body["id"]).back_office_id,
                              "missing_may_follow": []}

    by_post = _create(client, person, channel="post")
    assert [e.data for e in case_events(by_post["id"], "create")] == [{"channel": "post"}]
    update_draft_details(actor=front, application_id=by_post["id"], channel="in_person")
    assert Application.objects.get(pk=by_post["id"]).channel == "in_person"
    told = {e["action"]: e["data"] for e in client.get(f"applications/{by_post['id']}/history").json()}
    assert told["create"]["channel"] == "post"   # the creation's, not the draft's later one


def test_history_and_withdraw(front, person, api):
    client = api(front)
    body = _create(client, person)
    res = client.post(f"applications/{body['id']}/withdraw", {"reason": "Передумала"})
    assert res.status_code == 200 and res.json()["status"] == "withdrawn"
    history = client.get(f"applications/{body['id']}/history").json()
    assert [e["action"] for e in history] == ["create", "withdraw"]
    assert [e["id"] for e in history] == [1, 2]     # each event's place in the case's history
    assert {e["actor"] for e in history} == {front.get_full_name() or front.username}   # resolved to a name
    assert history[1]["comment"] == "Передумала" and history[1]["to_status"] == Status.WITHDRAWN
    res = client.post(f"applications/{body['id']}/withdraw")
    assert res.status_code == 409


def test_openapi_documents_intake(front, api):
    paths = api(front).get("openapi.json").json()["paths"]
    for path in ("/api/v1/applications", "/api/v1/applications/{application_id}/submit",
                 "/api/v1/applications/{application_id}/documents", "/api/v1/applications/{application_id}/receipt.pdf"):
        assert path in paths
    params = paths["/api/v1/applications/{application_id}/submit"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)


@pytest.mark.parametrize("who", ["back", "hadmin"])
def test_non_front_roles_cannot_create(who, request, person, api):
    user = request.getfixturevalue(who)
    res = api(user).post("applications", {"service_code": "birth_assistance", "applicant_id": person.pk})
    assert res.status_code in (403, 404)
