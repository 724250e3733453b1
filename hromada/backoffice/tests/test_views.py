"""Back-office pages: render for the back office, refused to others, forms call the services."""
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from hromada.applications.models import Document, Status
from hromada.audit.models import AuditEntry

from .factories import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client):
    def login(u):
        client.force_login(u)
        return client
    return login


def test_queue_page_and_htmx_fragment(web, back):
    app = submitted_case()
    c = web(back)
    r = c.get("/back/")
    assert r.status_code == 200 and app.number in r.text and "<html" in r.text
    r = c.get("/back/", {"service": "birth_assistance"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and app.number in r.text and "<html" not in r.text



def test_queue_rows_show_what_the_case_card_needs(web, back):
    from django.utils import timezone

    late = submitted_case(due_date=timezone.localdate() - timedelta(days=1))
    html = web(back).get("/back/").text
    row = html[html.index(late.number) - 200:html.index(late.number) + 900]
    assert f'href="/back/cases/{late.pk}/"' in row
    assert late.applicant_person.full_name in row and "Надіслано до бек-офісу" in row
    assert (late.due_date.strftime("%d.%m.%Y") in row) and "прострочено" in row


def test_pages_refused_to_other_roles(web, front, back, ministry):
    assert web(front).get("/back/").status_code == 403
    assert web(back).get("/back/board/").status_code == 403
    assert web(ministry).get("/back/").status_code == 403


def test_case_page_is_scoped_and_audited(web, back, back2, front, hadmin):
    app = submitted_case()
    assert web(back2).get(f"/back/cases/{app.pk}/").status_code == 404
    assert web(front).get(f"/back/cases/{app.pk}/").status_code == 403
    assert web(hadmin).get(f"/back/cases/{app.pk}/").status_code == 403
    r = web(back).get(f"/back/cases/{app.pk}/")
    assert r.status_code == 200 and app.applicant.full_name in r.text and "Взяти в роботу" in r.text
    assert AuditEntry.objects.filter(action="application.view", object_id=str(app.pk), actor=back).exists()


def test_document_viewer(web, back, back2, front):
    app = submitted_case()
    doc = Document(application=app, requirement_code="child_birth_certificate", original_name="scan.png",
                   content_type="image/png", size=8, sha256="a" * 64, uploaded_by=front)
    doc.file.save("scan", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    r = web(back).get(f"/back/cases/{app.pk}/")
    assert f"/back/cases/{app.pk}/documents/{doc.pk}/" in r.text
    r = web(back).get(f"/back/cases/{app.pk}/documents/{doc.pk}/")
    assert r.status_code == 200 and r["X-Frame-Options"] == "SAMEORIGIN" and r["Content-Type"] == "image/png"
    assert web(back2).get(f"/back/cases/{app.pk}/documents/{doc.pk}/").status_code == 404


def test_take_return_and_grant_through_forms(web, back):
    app = submitted_case()
    c = web(back)
    r = c.post(f"/back/cases/{app.pk}/take/", {"version": app.version}, follow=True)
    assert "Заяву взято в роботу" in r.text
    app.refresh_from_db()
    r = c.post(f"/back/cases/{app.pk}/return/", {"version": app.version, "reason": "Нечіткий скан",
                                                 "items": ["identity_document"], "extra_items": "Підпис\n"}, follow=True)
    assert "повернуто" in r.text.lower()
    app.refresh_from_db()
    assert app.status == Status.RETURNED and app.return_requests.get().items == ["identity_document", "Підпис"]
    type(app).objects.filter(pk=app.pk).update(status=Status.RESUBMITTED)
    c.post(f"/back/cases/{app.pk}/take/")
    app.refresh_from_db()
    born = (app.application_date - timedelta(days=3)).isoformat()
    r = c.post(f"/back/cases/{app.pk}/calculate/", {"calc_child_birth_date": born, "calc_children": "1"})
    assert r.status_code == 200 and "41 280,00" in r.text and 'value="41280.00"' in r.text
    r = c.post(f"/back/cases/{app.pk}/decide/", {"version": app.version, "outcome": "granted", "use_calculator": "1",
                                                 "calc_child_birth_date": born, "calc_children": "1", "amount": "41280.00",
                                                 "period_from": "", "period_to": ""}, follow=True)
    assert "Рішення прийнято" in r.text
    app.refresh_from_db()
    assert app.status == Status.RESULT_SENT and app.decision.amount == 41280


def test_form_errors_become_messages(web, back):
    app = submitted_case()
    c = web(back)
    c.post(f"/back/cases/{app.pk}/take/")
    r = c.post(f"/back/cases/{app.pk}/decide/", {"outcome": "refused", "reason_code": ""}, follow=True)
    assert "Оберіть підставу відмови" in r.text
    r = c.post(f"/back/cases/{app.pk}/take/", {"version": "1"}, follow=True)
    assert "змінено іншим користувачем" in r.text
    r = c.post(f"/back/cases/{app.pk}/calculate/", {"calc_child_birth_date": "2001-01-01"})
    assert "12 місяців" in r.text


def test_board_for_the_head(web, head, back):
    submitted_case(status=Status.IN_REVIEW, assigned_to=back, due_date=submitted_case().application_date - timedelta(days=5))
    r = web(head).get("/back/board/")
    assert r.status_code == 200 and back.display_name in r.text and "прострочено" in r.text
