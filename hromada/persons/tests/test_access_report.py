"""The resident's access report (#23 p.5): every access to her record and cases, by any office, as a PDF answer
under art. 8 of the Law «Про захист персональних даних»; itself audited; out of the desk's scope → 404."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from hromada.audit.models import AuditEntry
from hromada.audit.services import audited_read
from hromada.billing.tests.factories import kyiv, make_application
from hromada.persons import selectors

from .factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(front, front2, back):
    """Registered at Баранівська; another hromada's desk (front2) read her card, the back office read her case."""
    person = make_person(front)
    audited_read(actor=front2, action="person.view", objects=[person], request=None)
    application = make_application(office=front.office, user=front, submitted_at=kyiv(2025, 3, 10), applicant=person)
    audited_read(actor=back, action="application.view", objects=[application], request=None)
    audited_read(actor=back, action="application.list", objects=[application, make_application(
        office=front.office, user=front, submitted_at=kyiv(2025, 3, 11))], request=None,
        object_type="applications.application", details={"page": 1})     # a list page that showed her case
    return person, application


def test_report_lists_reads_by_other_offices(resident, front, front2, back):
    person, application = resident
    _person, rows = selectors.access_report(front, person.pk)
    offices = {(r.office, r.what) for r in rows}
    assert (front2.office.name, "Перегляд картки особи") in offices           # another hromada's desk
    assert (back.office.name, f"Перегляд заяви (заява #{application.pk})") in offices  # her case, back office
    assert (back.office.name, "Перегляд списку заяв") in offices                 # a list page naming it
    assert any(r.what == "Особу зареєстровано" and r.own_office for r in rows)
    assert all(front2.username not in (r.office + r.what) for r in rows)    # office and role, not the person


def test_pdf_answer_is_audited_and_scoped(resident, front, front2, hadmin, api):
    person, _application = resident
    response = api(front).get(f"persons/{person.pk}/access-report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Про захист персональних даних" in text and "стаття 8" in text
    assert front2.office.name.split()[0] in text and "Перегляд картки особи" in text
    entry = AuditEntry.objects.filter(action="audit.access_report").latest("id")
    assert entry.actor == front and entry.object_id == str(person.pk)
    assert api(front2).get(f"persons/{person.pk}/access-report.pdf").status_code == 404   # not linked to front2
    assert api(hadmin).get(f"persons/{person.pk}/access-report.pdf").status_code in (403, 404)
    # the next report lists the previous generation too
    _person, rows = selectors.access_report(front, person.pk)
    assert any(r.what == "Звіт про доступ до персональних даних" for r in rows)


def test_page_shows_the_report(resident, front, client):
    person, _application = resident
    client.force_login(front)
    html = client.get(f"/persons/{person.pk}/access-report/").content.decode()
    assert "Хто звертався до персональних даних" in html and "data-other-office" in html
    assert client.get(f"/persons/{person.pk}/access-report/?format=pdf")["Content-Type"] == "application/pdf"
