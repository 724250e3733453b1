"""The pages: front-office intake with receipt and public status; the specialist's card with every step; the
provider worker's phone page; 404 for other roles and another hromada."""
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hromada.core.tests.reading import needs_pdftoppm, qr_codes_in
from hromada.social import rules
from hromada.social.models import CaseStatus, Delivery, SocialCase

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_front_office_intake_receipt_and_public_status(front, resident):
    c = login(front)
    page = c.get(reverse("social:new") + f"?person={resident.pk}")
    assert page.status_code == 200 and resident.last_name in page.content.decode()
    r = c.post(reverse("social:new"), {"person_id": resident.pk, "services": ["home_care", "day_care"],
                                       "urgency": "crisis", "summary": "Потрібна допомога",
                                       "documents": ["application_form", "medical_conclusion"]})
    assert r.status_code == 302
    case = SocialCase.objects.get(person=resident)
    assert r["Location"] == reverse("social:receipt", args=[case.pk])
    receipt = c.get(r["Location"]).content.decode()
    assert case.number in receipt and case.check_code in receipt
    assert case.documents == ["application_form", "medical_conclusion"]
    assert "Документ, що посвідчує особу" in receipt and "не подано" in receipt   # the missing required one
    assert case.assessment_due == rules.assessment_due(case.applied_on, "crisis")
    pdf = c.get(reverse("social:receipt_pdf", args=[case.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    anon = Client()
    ok = anon.get(reverse("social:status"), {"number": case.number, "code": case.check_code})
    assert ok.status_code == 200 and "оцінювання потреб" in ok.content.decode()
    assert resident.last_name not in ok.content.decode()
    bad = anon.get(reverse("social:status"), {"number": case.number, "code": "WRONG123"})
    assert bad.status_code == 404
    # The front office never opens the case itself: its role may not (403, the one outsider rule; was 404).
    assert c.get(reverse("social:detail", args=[case.pk])).status_code == 403


@needs_pdftoppm
def test_the_intake_receipts_qr_code_opens_the_cases_status(front, resident, tmp_path):
    c = login(front)
    c.post(reverse("social:new"), {"person_id": resident.pk, "services": ["home_care"], "urgency": "normal"})
    case = SocialCase.objects.get(person=resident)
    pdf = c.get(reverse("social:receipt_pdf", args=[case.pk]))
    (qr,) = qr_codes_in(pdf.content, tmp_path)
    url = urlparse(qr)
    assert (url.netloc, url.path) == ("testserver", reverse("social:status"))
    assert parse_qs(url.query) == {"number": [case.number], "code": [case.check_code]}
    assert Client().get(url.path, parse_qs(url.query)).status_code == 200


def test_specialist_steps_through_the_card(front, social, resident, centre):
    c = login(front)
    c.post(reverse("social:new"), {"person_id": resident.pk, "services": ["home_care"], "urgency": "normal"})
    case = SocialCase.objects.get(person=resident)
    s = login(social)
    assert s.get(reverse("social:detail", args=[case.pk])).status_code == 200
    s.post(reverse("social:assign", args=[case.pk]), {"version": case.version})
    form = {f"score_{code}": "2" for code in rules.sections()}
    form.update(conclusion="Потребує догляду", recommended=["home_care"], home_visit_on=str(timezone.localdate()))
    s.post(reverse("social:assessment", args=[case.pk]), form)
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    card = s.get(reverse("social:detail", args=[case.pk])).content.decode()
    assert "decision-form" in card and centre.name in card
    s.post(reverse("social:decision", args=[case.pk]), {"outcome": "provide", "services": ["home_care"],
                                                        "provider_home_care": centre.pk, "reason": "Потреба є"})
    case.refresh_from_db()
    assert case.status == CaseStatus.PROVIDING
    notice = s.get(reverse("social:notice_pdf", args=[case.pk]))
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    r = s.post(reverse("social:plan", args=[case.pk]), {"goals": "Мета", "codes": ["home_care"],
                                                        "frequency_home_care": "щодня", "consent_on": ""})
    case.refresh_from_db()
    assert case.status == CaseStatus.PROVIDING   # no consent: refused with a message
    s.post(reverse("social:plan", args=[case.pk]), {"goals": "Мета", "codes": ["home_care"], "consent": "1",
                                                    "frequency_home_care": "щодня",
                                                    "consent_on": str(timezone.localdate())})
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_SERVICE
    assert r.status_code == 302


def test_provider_worker_phone_page(in_service, provider):
    c = login(provider)
    page = c.get(reverse("social:deliveries")).content.decode()
    assert in_service.person.last_name in page
    r = c.post(reverse("social:delivery", args=[in_service.pk]), {"service_code": "home_care", "minutes": "30",
                                                                  "note": "Прибирання", "back": "deliveries"})
    assert r.status_code == 302 and r["Location"] == reverse("social:deliveries")
    assert Delivery.objects.filter(service__case=in_service, worker=provider).count() == 1
    # The worker sees the card, but none of the specialist's forms.
    card = c.get(reverse("social:detail", args=[in_service.pk])).content.decode()
    assert "assess-form" not in card and "family-applications" not in card


def test_other_roles_get_403_and_other_hromadas_404(in_service, oblast, hadmin, social2, child):
    # A role that may never open a social case: 403 (the one outsider rule; was 404). Another hromada's social
    # worker: 404, like a missing case.
    for who in (oblast, hadmin, child):
        c = login(who)
        assert c.get(reverse("social:detail", args=[in_service.pk])).status_code == 403
    assert login(social2).get(reverse("social:detail", args=[in_service.pk])).status_code == 404
    assert login(oblast).get(reverse("social:list")).status_code == 403
    assert login(social2).get(reverse("social:list")).status_code == 200


def test_home_panel_and_nav(social):
    page = login(social).get("/").content.decode()
    assert "social-worklist" in page and reverse("social:list") in page


def test_providers_page(social):
    page = login(social).get(reverse("social:providers")).content.decode()
    assert "Центр надання соціальних послуг" in page and "Черга очікування" in page
