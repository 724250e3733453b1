import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hromada.applications import workflow
from hromada.applications.models import Application, Status
from hromada.applications.services.intake import create_application, submit_application
from hromada.testing import case_events

from .factories import fill_required, make_person, pdf_bytes, upload

HX = {"HX-Request": "true"}


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_wizard_walkthrough(front, person):
    c = _client(front)
    assert "Допомога при народженні дитини" in c.get(reverse("front:new")).content.decode()
    res = c.get(reverse("front:new"), {"q": "народж"}, headers=HX)
    assert "Допомога при народженні дитини" in res.content.decode() and "<html" not in res.content.decode()
    url = reverse("front:new_applicant", args=["birth_assistance"])
    page = c.get(url).content.decode()
    assert reverse("persons:search") in page and "next=" in page
    page = c.get(url, {"person": person.pk}).content.decode()
    assert person.full_name in page
    res = c.post(url, {"applicant_id": person.pk, "channel": "in_person"})
    app = Application.objects.get(applicant_person=person, registered_by=front)
    assert res.status_code == 302 and res["Location"] == reverse("front:edit", args=[app.pk])
    page = c.get(res["Location"]).content.decode()
    assert "Заява встановленого зразка" in page and "бракує" in page
    # Autosave via htmx keeps what was typed.
    res = c.post(reverse("front:save_draft", args=[app.pk]), {"note": "Прийшла з дитиною", "version": app.version},
                 headers=HX)
    assert res.status_code == 200 and "збережено" in res.content.decode()
    app.refresh_from_db()
    assert app.draft_data["note"] == "Прийшла з дитиною"
    assert "Прийшла з дитиною" in c.get(reverse("front:edit", args=[app.pk])).content.decode()
    # A bad upload answers the item fragment with the message; a good one marks it provided.
    bad = c.post(reverse("front:upload", args=[app.pk, "application_form"]),
                 {"file": upload(b"MZ" + b"\x00" * 300, "x.pdf")}, headers=HX)
    assert bad.status_code == 200 and "Непідтримуваний тип файлу" in bad.content.decode()
    for i, code in enumerate(["application_form", "identity_document", "child_birth_certificate"]):
        res = c.post(reverse("front:upload", args=[app.pk, code]), {"file": upload(pdf_bytes(1, seed=i))}, headers=HX)
        assert "Файл додано" in res.content.decode()
    app.refresh_from_db()
    res = c.post(reverse("front:save_details", args=[app.pk]), {"channel": "cnap", "version": app.version})
    assert res["Location"] == reverse("front:review", args=[app.pk])
    page = c.get(res["Location"]).content.decode()
    # where it goes (the Pension Fund decides birth assistance) and by when
    assert "Пенсійного фонду України у Звягельському районі" in page and 'id="preview-due"' in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    app.refresh_from_db()
    for _ in range(2):  # double click: the same one-time token
        res = c.post(reverse("front:submit", args=[app.pk]), {"form_token": token})
        assert res.status_code == 302 and res["Location"].startswith(reverse("front:card", args=[app.pk]))
    assert len(case_events(app, "submit")) == 1
    page = c.get(res["Location"]).content.decode()
    assert reverse("front:receipt", args=[app.pk]) in page and "Надіслано до бек-офісу" in page
    pdf = c.get(reverse("front:receipt", args=[app.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_other_hromada_gets_404_on_pages(front, front2, person):
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    c = _client(front2)
    for name in ("front:card", "front:edit", "front:review", "front:receipt"):
        assert c.get(reverse(name, args=[app.pk])).status_code == 404
    assert c.post(reverse("front:submit", args=[app.pk])).status_code == 404
    assert c.post(reverse("front:withdraw", args=[app.pk])).status_code == 404
    assert app.number not in c.get(reverse("front:list")).content.decode()
    assert app.number in _client(front).get(reverse("front:list")).content.decode()


def test_back_office_cannot_use_intake_pages(back):
    assert _client(back).get(reverse("front:new")).status_code == 403


def test_list_filters_and_query_count(front, person):
    c = _client(front)
    demo_low_income = Application.objects.filter(hromada=front.office.hromada, service__code="low_income_family").count()
    create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    with CaptureQueriesContext(connection) as few:
        assert c.get(reverse("front:list")).status_code == 200
    for _ in range(4):
        create_application(actor=front, service_code="low_income_family",
                           applicant_id=make_person(front.office.hromada).pk)
    with CaptureQueriesContext(connection) as many:
        page = c.get(reverse("front:list")).content.decode()
    assert page.count("/front/") >= 5 and len(many) == len(few)
    assert person.full_name in page      # the applicant's name in her case's row
    page = c.get(reverse("front:list"), {"service": "low_income_family"}, headers=HX).content.decode()
    assert page.count('href="/front/') == 4 + demo_low_income


def _submitted(front, person):
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    fill_required(app, front)
    submit_application(actor=front, application_id=app.pk)
    return app


def test_returned_correct_and_resubmit(front, back, person):
    app = _submitted(front, person)
    with transaction.atomic():
        workflow.transition(app.pk, "take", actor=back)
        workflow.transition(app.pk, "return", actor=back, comment="Нечіткий скан паспорта",
                            data={"items": ["identity_document"]})
    c = _client(front)
    page = c.get(reverse("front:returned")).content.decode()
    assert app.number in page and "Нечіткий скан паспорта" in page and person.full_name in page
    page = c.get(reverse("front:edit", args=[app.pk])).content.decode()
    assert "Паспорт громадянина України або ID-картка заявника" in page and "Нечіткий скан паспорта" in page
    c.post(reverse("front:upload", args=[app.pk, "identity_document"]), {"file": upload(pdf_bytes(2, seed=55))})
    res = c.post(reverse("front:resubmit", args=[app.pk]), {"comment": "Пересканували"})
    assert res.status_code == 302
    assert Application.objects.get(pk=app.pk).status == Status.RESUBMITTED


def test_results_issue(front, back, person):
    app = _submitted(front, person)
    with transaction.atomic():
        for action in ("take", "grant"):
            workflow.transition(app.pk, action, actor=back)
        workflow.transition(app.pk, "send_result")
    c = _client(front)
    page = c.get(reverse("front:results")).content.decode()
    assert app.number in page and person.full_name in page
    res = c.post(reverse("front:issue", args=[app.pk]), {"back": reverse("front:results"), "method": "in_person"})
    assert res.status_code == 302
    assert Application.objects.get(pk=app.pk).status == Status.CLOSED
    page = c.get(reverse("front:card", args=[app.pk])).content.decode()
    assert "Результат видано заявнику" in page and "Справу закрито" in page


@pytest.mark.parametrize("name", ["front:new", "front:list", "front:returned", "front:results"])
def test_nav_pages_render(front, name):
    assert _client(front).get(reverse(name)).status_code == 200


def _return(app, back, reason="Нечіткий скан"):
    with transaction.atomic():
        workflow.transition(app.pk, "take", actor=back)
        workflow.transition(app.pk, "return", actor=back, comment=reason, data={"items": ["identity_document"]})


def test_returned_and_results_pages_pin_query_counts(front, back, person):
    c = _client(front)
    _return(_submitted(front, person), back)
    with CaptureQueriesContext(connection) as few:
        assert c.get(reverse("front:returned")).status_code == 200
    for i in range(3):
        _return(_submitted(front, make_person(front.office.hromada)), back, reason=f"Причина {i}")
    with CaptureQueriesContext(connection) as many:
        page = c.get(reverse("front:returned")).content.decode()
    assert "Причина 2" in page and len(many) == len(few)
    with CaptureQueriesContext(connection) as results:
        assert c.get(reverse("front:results")).status_code == 200
    assert len(results) <= len(few)


def test_checklist_and_role_codes_are_never_shown_raw(front, back, person, auditor):
    from hromada.backoffice.services import return_for_correction, take_application

    app = _submitted(front, person)
    take_application(actor=back, application_id=app.pk)
    app.refresh_from_db()
    return_for_correction(actor=back, application_id=app.pk, reason="Нечіткий скан",
                          items=["identity_document", "Підпис заявника"], expected_version=app.version)
    # The front office's returned list: the document's title, the free-text item as typed.
    page = _client(front).get(reverse("front:returned")).content.decode()
    assert "Паспорт громадянина України або ID-картка заявника" in page and "Підпис заявника" in page
    assert "identity_document" not in page
    # The back office's case page: document tabs and return history by title.
    page = _client(back).get(f"/back/cases/{app.pk}/").content.decode()
    assert "Заява встановленого зразка ·" in page and "application_form ·" not in page
    assert "(Паспорт громадянина України або ID-картка заявника; Підпис заявника)" in page
    # The audit log: the role's title.
    page = _client(auditor).get("/audit/", {"user": "back_demo"}).content.decode()
    assert "Фахівець бек-офісу" in page or "фахівець бек-офісу" in page.lower()
    assert "<td>back_specialist</td>" not in page
