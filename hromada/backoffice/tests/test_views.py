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
    assert r.status_code == 200 and app.applicant_person.full_name in r.text and "Взяти в роботу" in r.text
    assert AuditEntry.objects.filter(action="application.view", object_id=str(app.pk), actor=back).exists()


def test_document_viewer(web, back, back2, front):
    app = submitted_case()
    doc = Document(application=app, requirement_code="child_birth_certificate", original_name="scan.png",
                   content_type="image/png", size=8, sha256="a" * 64, uploaded_by=front)
    doc.file.save("scan", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    r = web(back).get(f"/back/cases/{app.pk}/")
    assert f"/back/cases/{app.pk}/documents/{doc.pk}/" in r.text
    # An image: a page that fits the scan to the pane (its own strict CSP, framed by the case page only) …
    r = web(back).get(f"/back/cases/{app.pk}/documents/{doc.pk}/")
    assert r.status_code == 200 and r["X-Frame-Options"] == "SAMEORIGIN" and r["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'self'" in r["Content-Security-Policy"] and "style-src 'self'" in r["Content-Security-Policy"]
    assert f'src="/back/cases/{app.pk}/documents/{doc.pk}/?raw=1"' in r.text and 'class="scan"' in r.text
    # … and the file itself.
    r = web(back).get(f"/back/cases/{app.pk}/documents/{doc.pk}/", {"raw": "1"})
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
    r = c.post(f"/back/cases/{app.pk}/calculate/", {"calc_birth_date": born, "calc_children": "1"})
    assert r.status_code == 200 and "50 000,00" in r.text and 'value="50000.00"' in r.text
    r = c.post(f"/back/cases/{app.pk}/decide/", {"version": app.version, "outcome": "granted", "use_calculator": "1",
                                                 "calc_birth_date": born, "calc_children": "1", "amount": "50000.00",
                                                 "period_from": "", "period_to": ""}, follow=True)
    assert "Рішення прийнято" in r.text
    app.refresh_from_db()
    assert app.status == Status.RESULT_SENT and app.decision.amount == 50000


def test_form_errors_become_messages(web, back):
    app = submitted_case()
    c = web(back)
    c.post(f"/back/cases/{app.pk}/take/")
    r = c.post(f"/back/cases/{app.pk}/decide/", {"outcome": "refused", "reason_code": ""}, follow=True)
    assert "Оберіть підставу відмови" in r.text
    r = c.post(f"/back/cases/{app.pk}/take/", {"version": "1"}, follow=True)
    assert "змінено іншим користувачем" in r.text
    r = c.post(f"/back/cases/{app.pk}/calculate/", {"calc_birth_date": "2001-01-01"})
    assert "12 місяців" in r.text


def test_board_for_the_head(web, head, back):
    submitted_case(status=Status.IN_REVIEW, assigned_to=back, due_date=submitted_case().application_date - timedelta(days=5))
    r = web(head).get("/back/board/")
    assert r.status_code == 200 and back.display_name in r.text and "прострочено" in r.text


def test_grant_refusal_and_return_forms_keep_what_was_typed_after_an_error(web, back):
    app = submitted_case()
    c = web(back)
    c.post(f"/back/cases/{app.pk}/take/")
    app.refresh_from_db()
    # A period ending before it starts: the page comes back with every typed value and the grant form open.
    r = c.post(f"/back/cases/{app.pk}/decide/", {
        "version": app.version, "outcome": "granted", "amount": "12345.67", "period_from": "2026-12-01",
        "period_to": "2026-11-01", "comment": "Сума за довідкою", "calc_children": "2"})
    assert r.status_code == 422
    page = r.content.decode()
    assert 'id="grant-panel" open' in page and "Вкажіть коректний період виплати" in page
    assert 'value="12345.67"' in page and 'value="2026-12-01"' in page and 'value="2026-11-01"' in page
    assert "Сума за довідкою</textarea>" in page and 'name="calc_children" type="number" min="1" value="2"' in page
    r = c.post(f"/back/cases/{app.pk}/decide/", {"version": app.version, "outcome": "refused", "reason_code": "",
                                                 "comment": "Довідка про доходи відсутня"})
    page = r.content.decode()
    assert r.status_code == 422 and 'id="refuse-panel" open' in page and "Оберіть підставу відмови" in page
    assert "Довідка про доходи відсутня</textarea>" in page
    r = c.post(f"/back/cases/{app.pk}/return/", {"version": app.version, "reason": "  ",
                                                 "items": ["identity_document"], "extra_items": "Підпис"})
    page = r.content.decode()
    assert r.status_code == 422 and 'id="return-panel" open' in page
    assert 'value="identity_document" checked' in page and "Підпис</textarea>" in page
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW


# The rows as the queue's template rendered them before the one tag (``backoffice_tags.queue_rows``) took over —
# the badges' labels passed as plain text (the template had them from ``{% trans … as %}``, unescaped: the tag escapes
# them, as it does every value; a translation holds no markup).
_ROWS_AS_A_TEMPLATE = """{% for r in rows %}<tr>
      <td><a href="{{ r.url }}">{{ r.number }}</a></td>
      <td>{{ r.applicant|default:"—" }}</td>
      <td>{{ r.service }}</td>
      <td>{{ r.hromada }}<br><small>{{ r.office }}</small></td>
      <td>{{ r.status }}</td>
      <td>{{ r.assignee|default:"—" }}</td>
      <td>{{ r.due_date|default:"—" }}
        {% if r.flag == "overdue" %}<span class="badge bad">{{ overdue_label }}</span>{% elif r.flag == "due_soon" %}\
<span class="badge warn">{{ due_soon_label }}</span>{% endif %}</td>
    </tr>
{% endfor %}"""


@pytest.mark.parametrize("language", ["uk", "en"])
def test_queue_rows_tag_renders_what_the_template_did(language):
    from django.template import Context, Template
    from django.utils import translation

    from hromada.backoffice.templatetags.backoffice_tags import queue_rows

    tricky = "<script>alert('x')</script> & \"Ґ\""
    rows = [
        {"url": "/back/cases/1/", "number": "ЗВ-1", "applicant": tricky, "service": tricky, "hromada": "Баранівська",
         "office": tricky, "status": "Надіслано", "assignee": "Коваленко О. П.", "due_date": "01.12.2026",
         "flag": "overdue"},
        {"url": "/back/cases/2/", "number": "ЗВ-2", "applicant": "", "service": "S", "hromada": "", "office": "",
         "status": "", "assignee": "", "due_date": "", "flag": "due_soon"},
        {"url": "/back/cases/3/", "number": "ЗВ-3", "applicant": "А Б В", "service": "S", "hromada": "H",
         "office": "O", "status": "St", "assignee": tricky, "due_date": "02.12.2026", "flag": ""},
    ]
    with translation.override(language):
        labels = {"overdue_label": translation.gettext("прострочено"),
                  "due_soon_label": translation.gettext("спливає")}
        expected = Template(_ROWS_AS_A_TEMPLATE).render(Context({"rows": rows, **labels}))
        assert queue_rows(rows) == expected
    assert "<script>" not in expected and "&lt;script&gt;" in expected


def test_empty_queue_says_so(web, back):
    r = web(back).get("/back/", {"q": "Нікогоненайдено"})
    assert r.status_code == 200 and "Заяв за цими умовами немає." in r.text and "/back/cases/" not in r.text


def test_queue_filter_form_keeps_the_chosen_filters(web, back, head):
    from hromada.backoffice.selectors import queue_choices

    app = submitted_case()
    choices = queue_choices(back)
    assert ("birth_assistance", app.service.name) in choices.services
    assert (app.hromada_id, app.hromada.name) in choices.hromadas
    assert (head.pk, head.short_name) in choices.staff and (back.pk, back.short_name) in choices.staff
    html = web(back).get("/back/", {"service": "birth_assistance", "hromada": app.hromada_id, "status": "submitted",
                                    "assigned_to": head.pk}).text
    form = html[html.index('<form class="filters'):html.index("</form>", html.index('<form class="filters'))]
    assert f'<option value="birth_assistance" selected>{app.service.name}</option>' in form
    assert f'<option value="{app.hromada_id}" selected>{app.hromada.name}</option>' in form
    assert '<option value="submitted" selected>Надіслано до бек-офісу</option>' in form
    assert f'<option value="{head.pk}" selected>{head.short_name}</option>' in form
    assert form.count(" selected") == 4
    html = web(back).get("/back/", {"service": "birth_assistance"}, headers={"HX-Request": "true"}).text
    assert "<form" not in html and app.number in html    # the table alone
