"""The back-office API: paths, error conventions (404 outside scope, 403 role, 409 conflicts), PDF."""
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from hromada.applications.models import Status
from hromada.audit.models import AuditEntry

from .factories import submitted_case

pytestmark = pytest.mark.django_db


def test_take_and_if_match(api, back):
    app = submitted_case()
    c = api(back)
    r = c.post(f"applications/{app.pk}/take", **{"If-Match": '"7"'})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert "змінено іншим користувачем" in r.json()["message"]
    r = c.post(f"applications/{app.pk}/take", **{"If-Match": f'"{app.version}"'})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_review" and r.json()["assigned_to_id"] == back.pk
    r = c.post(f"applications/{app.pk}/take")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"


def test_scope_role_and_missing(api, back, back2, front, head):
    app = submitted_case()
    assert api(back2).post(f"applications/{app.pk}/take").json()["code"] == "not_found"
    assert api(back2).post(f"applications/{app.pk}/take").status_code == 404
    assert api(back2).get(f"applications/{app.pk}/decision.pdf").status_code == 404
    r = api(front).post(f"applications/{app.pk}/take")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert api(back).post(f"applications/{app.pk}/assign", {"user_id": head.pk}).status_code == 403
    assert api(back).post("applications/999999/take").status_code == 404
    assert api(None).post(f"applications/{app.pk}/take").status_code == 401
    assert api(front).get("backoffice/queue").status_code == 403


def test_assign_return_decide_pdf(api, head, back):
    app = submitted_case()
    h = api(head)
    r = h.post(f"applications/{app.pk}/assign", {"user_id": back.pk, "version": app.version})
    assert r.status_code == 200 and r.json()["assigned_to_id"] == back.pk
    b = api(back)
    r = b.post(f"applications/{app.pk}/return", {"reason": "Додайте свідоцтво", "items": ["child_birth_certificate"]})
    assert r.status_code == 200 and r.json()["application"]["status"] == "returned"
    assert r.json()["items"] == ["child_birth_certificate"]
    assert b.post(f"applications/{app.pk}/return", {"reason": "ще раз"}).json()["code"] == "illegal_transition"
    type(app).objects.filter(pk=app.pk).update(status=Status.RESUBMITTED)   # the front office resubmits
    assert b.post(f"applications/{app.pk}/take").status_code == 200
    assert b.get(f"applications/{app.pk}/decision.pdf").json()["code"] == "no_decision"
    born = (app.application_date - timedelta(days=30)).isoformat()
    r = b.post(f"applications/{app.pk}/decide", {"outcome": "granted", "calculator_inputs": {"birth_date": born}})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["amount"] == "50000.00" and body["application"]["status"] == "result_sent"
    assert body["calculation"]["calculator"] == "birth_assistance"
    r = b.get(f"applications/{app.pk}/decision.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "РІШЕННЯ ПРО ПРИЗНАЧЕННЯ ДОПОМОГИ" in text
    assert app.number in text and "50 000,00 грн" in text and "одноразово" in text and "2811-XII" in text
    assert app.applicant_person.full_name in text
    assert AuditEntry.objects.filter(action="decision.download", object_id=str(app.pk), actor=back).exists()


def test_refusal_pdf_has_reason_and_legal_basis(api, back):
    app = submitted_case()
    b = api(back)
    b.post(f"applications/{app.pk}/take")
    r = b.post(f"applications/{app.pk}/decide", {"outcome": "refused", "reason_code": "claim_period_expired",
                                                  "comment": "Звернення через 14 місяців"})
    assert r.status_code == 200 and r.json()["reason_code"] == "claim_period_expired"
    pdf = b.get(f"applications/{app.pk}/decision.pdf").content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "ВІДМОВУ" in text and "пізніше 12 місяців" in text and "ст. 11" in text and "14 місяців" in text


@pytest.mark.parametrize("payload, code", [
    ({"outcome": "refused", "reason_code": "nope"}, "invalid_reason"),
    ({"outcome": "granted", "amount": "-5", "period_from": "2026-01-01", "period_to": "2026-02-01"}, "invalid_amount"),
    ({"outcome": "granted", "amount": "5", "period_from": "2026-03-01", "period_to": "2026-02-01"}, "invalid_period"),
    ({"outcome": "granted", "amount": "5", "period_from": "not-a-date"}, "validation_error"),
    ({"outcome": "granted", "calculator_inputs": {"birth_date": "2020-01-01"}}, "claim_period_expired"),
])
def test_decide_errors_are_422(api, back, payload, code):
    app = submitted_case()
    b = api(back)
    b.post(f"applications/{app.pk}/take")
    r = b.post(f"applications/{app.pk}/decide", payload)
    assert r.status_code == 422 and r.json()["code"] == code and r.json()["message"]


def test_queue_and_workload_endpoints(api, back, back2, head):
    mine = submitted_case()
    theirs = submitted_case("front2")
    r = api(back).get("backoffice/queue", {"service": "birth_assistance"})
    assert r.status_code == 200
    numbers = [row["number"] for row in r.json()["results"]]
    assert mine.number in numbers and theirs.number not in numbers
    assert {"deadline", "due_date", "version"} <= set(r.json()["results"][0])
    assert theirs.number in [row["number"] for row in api(back2).get("backoffice/queue").json()["results"]]
    r = api(head).get("backoffice/workload")
    assert r.status_code == 200 and {"back_demo", "head_demo"} <= {row["user_id"] and row["name"] and
                                                                   row["user_id"] for row in r.json()} | {
        "back_demo", "head_demo"}
    names = {row["user_id"] for row in r.json()}
    assert back.pk in names and head.pk in names and back2.pk not in names
