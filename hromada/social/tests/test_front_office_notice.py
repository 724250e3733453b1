"""The front office hands out the result of an application for social services (issue #22, point 4 «notice printed»):
its card shows the social case's decision and prints the case's own decision notice — the outcome, the services and
their providers, the ground as the case holds it (the reasons and the needs assessment), the legal sources and the
signature lines — not a second layout, and not to anyone outside the application's scope."""
import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from hromada.applications.services.intake import create_application, save_draft, submit_application
from hromada.applications.tests.factories import fill_required
from hromada.audit.models import AuditEntry
from hromada.social import pdf, rules, services
from hromada.social.models import SocialCase

from .conftest import assess

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text_of(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


def _decided(front, social, person, centre, *, provide: bool):
    app = create_application(actor=front, service_code="social_services", applicant_id=person.pk)
    fill_required(app, front)
    save_draft(actor=front, application_id=app.pk, data={"social_services": ["home_care"], "urgency": "normal"})
    app = submit_application(actor=front, application_id=app.pk).application
    case = SocialCase.objects.get(application=app)
    assess(social, case, recommended=("home_care",) if provide else ())
    services.decide(actor=social, case_id=case.pk, outcome="provide" if provide else "refuse",
                    reason="Потребу в догляді підтверджено" if provide else "Пересувається самостійно",
                    services=[services.ServiceChoice("home_care", centre.pk)] if provide else [])
    return app, case


def test_the_front_office_prints_the_social_decision_it_hands_over(front, social, resident, centre):
    app, case = _decided(front, social, resident, centre, provide=True)
    c = login(front)
    card = c.get(reverse("front:card", args=[app.pk])).content.decode()
    assert 'id="decision"' in card and 'id="print-decision"' in card and 'id="issue-result"' in card
    assert case.number in card and centre.name in card and "Потребу в догляді підтверджено" in card
    results = c.get(reverse("front:results")).content.decode()
    assert app.number in results and centre.name in results
    response = c.get(reverse("front:decision_pdf", args=[app.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert f"Справа № {case.number} (заява № {app.number})" in text
    assert "Рішення Надати соціальні послуги" in text
    assert rules.service_names()["home_care"] in text and centre.name in text
    assert "Потребу в догляді підтверджено" in text
    assessed = case.assessments.get().completed_on.strftime("%d.%m.%Y")
    assert f"Оцінювання потреб від {assessed}: потреби в соціальних послугах виявлено" in text
    assert "ст. 16" in text and "2671-VIII" in text                      # the services' legal basis (data)
    assert "Посадова особа" in text and social.short_name in text and "Повідомлення отримав(ла)" in text
    # One layout: what the specialist prints at her desk is the same notice.
    assert text_of(pdf.notice_pdf(case)).split("Сформовано")[0] == text.split("Сформовано")[0]
    entry = AuditEntry.objects.filter(action="decision.download").latest("id")
    assert entry.object_id == str(app.pk)


def test_a_refusal_prints_its_reasons_and_the_assessment_that_found_no_need(front, social, resident, centre):
    app, case = _decided(front, social, resident, centre, provide=False)
    text = text_of(login(front).get(reverse("front:decision_pdf", args=[app.pk])).content)
    assert "Відмовити в наданні соціальних послуг" in text and "Пересувається самостійно" in text
    assert "потреби в соціальних послугах не виявлено" in text and "оскаржене" in text
    assert "Послуги та надавачі" not in text
    card = login(front).get(reverse("front:card", args=[app.pk])).content.decode()
    assert "Відмовлено в соціальних послугах" in card


def test_no_notice_before_the_decision_and_none_outside_the_scope(front, front2, social, resident, centre):
    app = create_application(actor=front, service_code="social_services", applicant_id=resident.pk)
    fill_required(app, front)
    save_draft(actor=front, application_id=app.pk, data={"social_services": ["home_care"], "urgency": "normal"})
    submit_application(actor=front, application_id=app.pk)
    c = login(front)
    assert c.get(reverse("front:decision_pdf", args=[app.pk])).status_code == 404
    assert 'id="print-decision"' not in c.get(reverse("front:card", args=[app.pk])).content.decode()
    case = SocialCase.objects.get(application=app)
    assess(social, case)
    services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Так",
                    services=[services.ServiceChoice("home_care", centre.pk)])
    assert c.get(reverse("front:decision_pdf", args=[app.pk])).status_code == 200
    # Another hromada's front office: as if the application did not exist.
    assert login(front2).get(reverse("front:decision_pdf", args=[app.pk])).status_code == 404


def test_the_api_gives_the_social_decision_and_its_notice(front, social, resident, centre, api):
    """`GET /api/v1/applications/{id}` carries the decision once decided (#17's contract) — for an application for
    social services, the social case's — and `…/decision.pdf` is its notice."""
    client = api(front)
    app = create_application(actor=front, service_code="social_services", applicant_id=resident.pk)
    fill_required(app, front)
    save_draft(actor=front, application_id=app.pk, data={"social_services": ["home_care"], "urgency": "normal"})
    app = submit_application(actor=front, application_id=app.pk).application
    assert client.get(f"applications/{app.pk}").json()["decision"] is None
    missing = client.get(f"applications/{app.pk}/decision.pdf")
    assert missing.status_code == 404 and missing.json()["code"] == "no_decision"

    case = SocialCase.objects.get(application=app)
    assess(social, case, recommended=("home_care",))
    services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Потребу в догляді підтверджено",
                    services=[services.ServiceChoice("home_care", centre.pk)])
    decision = client.get(f"applications/{app.pk}").json()["decision"]
    assert decision["outcome"] == "granted" and decision["amount"] is None
    assert decision["reason"] == "Потребу в догляді підтверджено" and decision["social_case_number"] == case.number
    assert decision["services"] == [{"code": "home_care", "name": rules.service_names()["home_care"],
                                     "provider": centre.name, "waiting": False}]
    assert decision["decided_by"] == social.short_name and decision["decided_at"]
    assert decision["legal_basis"]
    document = client.get(f"applications/{app.pk}/decision.pdf")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert f"Справа № {case.number} (заява № {app.number})" in text_of(document.content)
