"""The Ukrainian UI: list, registration form, card with the step forms, errors shown on the form."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hromada.children.models import CaseStatus, ChildCase, Reporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(child):
    client = Client()
    client.force_login(child)
    return client


def _form(**over):
    data = {"last_name": "Кравець", "first_name": "Денис", "patronymic": "", "birth_date": "2013-06-07", "sex": "M",
            "rnokpp": "", "reported_on": timezone.localdate().isoformat(), "urgency": "urgent",
            "circumstances": ["neglect", "begging"], "summary": "Жебракує біля ринку", "reporter_type": "police",
            "reporter_name": "Ювенальна превенція", "reporter_organisation": "", "reporter_phone": "",
            "rep1-role": "father", "rep1-last_name": "Кравець", "rep1-first_name": "Олег", "rep1-birth_date": "1985-01-01",
            "rep1-sex": "M", "rep2-last_name": ""}
    data.update(over)
    return data


def test_nav_and_list_page(web):
    home = web.get("/").content.decode()
    assert "Справи дітей" in home and "/children/" in home
    res = web.get("/children/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "Справи дітей у складних життєвих обставинах" in html and 'for="f-q"' in html


def test_register_through_the_form(web, child):
    page = web.get("/children/new/").content.decode()
    assert 'for="id_last_name"' in page and "children.js" in page and "style=" not in page
    res = web.post("/children/new/", _form())
    assert res.status_code == 302, res.content.decode()[:2000]
    case = ChildCase.objects.get()
    assert res["Location"] == f"/children/{case.pk}/"
    assert case.urgency == "urgent" and case.members.get().role == "father"
    assert sorted(case.circumstances.values_list("code", flat=True)) == ["begging", "neglect"]
    card = web.get(res["Location"]).content.decode()
    assert case.number in card and "Ювенальна превенція" in card and "Розпочати оцінювання" in card


def test_form_errors_are_shown(web):
    res = web.post("/children/new/", _form(circumstances=[], reporter_type=""))
    assert res.status_code == 422
    html = res.content.decode()
    assert "Обов’язкове поле" in html or "обов" in html.lower()
    assert not ChildCase.objects.exists()
    res = web.post("/children/new/", _form(birth_date="2001-01-01"))
    assert res.status_code == 422 and "повноліття" in res.content.decode()


def test_anonymous_form_drops_reporter(web):
    res = web.post("/children/new/", _form(reporter_type="anonymous", reporter_name="Сусід Іванко"))
    assert res.status_code == 302
    assert not Reporter.objects.exists()
    assert "Сусід Іванко" not in web.get(res["Location"]).content.decode()


def test_steps_through_the_card(web):
    web.post("/children/new/", _form())
    case = ChildCase.objects.get()
    base = f"/children/{case.pk}/"
    today = timezone.localdate().isoformat()
    assert web.post(base + "assessment/start/", {"start-started_on": today}).status_code == 302
    res = web.post(base + "assessment/", {"assess-needs": "", "assess-findings": "x", "assess-completed_on": today})
    assert res.status_code == 422 and 'id="id_assess-needs"' in res.content.decode()
    assert web.post(base + "assessment/", {"assess-needs": "Догляд", "assess-findings": "Бездоглядність",
                                           "assess-completed_on": today}).status_code == 302
    assert web.post(base + "decision/", {"decision-in_difficult_circumstances": "yes", "decision-basis": "Висновок",
                                         "decision-decided_on": today}).status_code == 302
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    plan = {"plan-goal": "Повернути дитину до навчання", "plan-approved_on": today, "plan-next_review_due": "",
            "measures-TOTAL_FORMS": "3", "measures-INITIAL_FORMS": "0", "measures-MIN_NUM_FORMS": "0",
            "measures-MAX_NUM_FORMS": "20", "measures-0-description": "Соціальний супровід",
            "measures-0-responsible_service": "ЦНСП", "measures-0-due_date": due}
    res = web.post(base + "plan/", plan)
    assert res.status_code == 302, res.content.decode()[:3000]
    measure = ChildCase.objects.get().plan.measures.get()
    assert web.post(base + f"measures/{measure.pk}/done/", {f"m{measure.pk}-done_on": today}).status_code == 302
    assert web.post(base + "referrals/", {"referral-service_name": "ЦПМСД", "referral-purpose": "",
                                          "referral-sent_on": today}).status_code == 302
    referral = ChildCase.objects.get().referrals.get()
    assert web.post(base + f"referrals/{referral.pk}/feedback/", {f"fb{referral.pk}-feedback": "Оглянуто",
                                                                  f"fb{referral.pk}-feedback_on": today}).status_code == 302
    assert web.post(base + "reviews/", {"review-findings": "Краще", "review-reviewed_on": today,
                                        "review-next_review_due": ""}).status_code == 302
    res = web.post(base + "close/", {"close-outcome": "other", "close-note": ""})
    assert res.status_code == 422 and "Інше" in res.content.decode()
    assert web.post(base + "close/", {"close-outcome": "circumstances_overcome", "close-note": ""}).status_code == 302
    case = ChildCase.objects.get()
    assert case.status == CaseStatus.CLOSED
    card = web.get(base).content.decode()
    assert "Складні життєві обставини подолано" in card and "Справу закрито" in card


def test_illegal_step_via_ui_shows_message(web):
    web.post("/children/new/", _form())
    case = ChildCase.objects.get()
    res = web.post(f"/children/{case.pk}/close/", {"close-outcome": "came_of_age", "close-note": ""}, follow=True)
    assert res.redirect_chain[-1][0] == f"/children/{case.pk}/"
    assert "не можна виконати" in res.content.decode()
    assert ChildCase.objects.get().status == CaseStatus.REGISTERED
