"""The case page with the law: the preview's lines with their sources and unconfirmed figures marked, a missing
figure as a clear message, the refusal grounds with their articles, and the recalculation of a stored decision."""
from datetime import timedelta

import pytest
from django.test import Client

from hromada.backoffice import services
from hromada.catalog.models import LegalFigure
from hromada.catalog.services import set_legal_figure

from .factories import submitted_case

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_preview_shows_sources_and_marks_unconfirmed(back):
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    c = login(back)
    born = (app.application_date - timedelta(days=3)).isoformat()
    r = c.post(f"/back/cases/{app.pk}/calculate/", {"calc_birth_date": born})
    assert r.status_code == 200 and "Джерело" in r.text and "ст. 12" in r.text
    assert 'id="calc-unconfirmed"' not in r.text
    LegalFigure.objects.filter(key="birth_assistance.lump_sum").update(confirmed=False)
    r = c.post(f"/back/cases/{app.pk}/calculate/", {"calc_birth_date": born})
    assert 'id="calc-unconfirmed"' in r.text and "Одноразова частина допомоги при народженні" in r.text
    LegalFigure.objects.filter(key="birth_assistance.total").delete()
    r = c.post(f"/back/cases/{app.pk}/calculate/", {"calc_birth_date": born})
    assert "Розмір не встановлено для «Розмір допомоги при народженні дитини»" in r.text


def test_refusal_grounds_name_their_articles_and_unconfirmed_ones_are_disabled(back):
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    page = login(back).get(f"/back/cases/{app.pk}/").text
    assert "ст. 11" in page and "підставу не підтверджено" in page and " disabled>" in page


def test_a_decided_case_shows_the_recalculation_on_todays_figures(back):
    app = submitted_case()
    services.take_application(actor=back, application_id=app.pk)
    born = app.application_date - timedelta(days=3)
    services.decide(actor=back, application_id=app.pk, outcome="granted",
                    calculator_inputs={"birth_date": born.isoformat()})
    c = login(back)
    page = c.get(f"/back/cases/{app.pk}/").text
    assert 'id="recalculation"' in page and "Показники не змінилися." in page
    # The amount is the one in force on the birth date: a correction from that date changes the recalculation.
    for key in ("birth_assistance.total", "birth_assistance.lump_sum"):
        set_legal_figure(actor=None, key=key, value="55000", valid_from=born,
                         act="Закон України № 2811-XII (тестова зміна)", article="ст. 12", act_date=born,
                         confirmed=True, checked_against="тест")
    page = c.get(f"/back/cases/{app.pk}/").text
    assert "Розмір допомоги при народженні дитини: 50000 → 55000" in page
