"""Monitoring shows social-services figures by hromada/raion/oblast/country — numbers, never case contents."""
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hromada.demo.services import BARANIVSKA, OBLAST, ZVIAHEL_RAION
from hromada.social import selectors, services

pytestmark = pytest.mark.django_db


def _get(user, url):
    c = Client()
    c.force_login(user)
    return c.get(url)


def test_on_time_share_counts_first_assessments(in_service, front, social, resident):
    today = timezone.localdate()
    figures = selectors.indicator_figures({"id": in_service.hromada_id}, today.replace(day=1),
                                          in_service.assessment_due)[None]
    assert figures["assessments_due"] >= 1 and figures["assessments_on_time"] >= 1


def test_monitoring_page_by_level(in_service, provider, ministry, oblast):
    services.record_delivery(actor=provider, case_id=in_service.pk, service_code="home_care")
    page = _get(ministry, reverse("monitoring:social"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Житомирська" in body and in_service.person.last_name not in body
    for level, code in (("oblast", OBLAST), ("raion", ZVIAHEL_RAION), ("hromada", BARANIVSKA)):
        r = _get(oblast, reverse("monitoring:social_area", args=[level, code]))
        assert r.status_code == 200 and in_service.person.last_name not in r.content.decode()
    served = _get(oblast, reverse("monitoring:social_area", args=["hromada", BARANIVSKA])).content.decode()
    assert 'id="fig-served">0<' not in served
    # Every service has its count, 0 where nobody was served (an empty cell read as "unknown").
    assert re.search(r"<td>Догляд вдома</td><td class=\"num\">1</td>", served)
    assert re.search(r"<td>Денний догляд</td><td class=\"num\">0</td>", served)


def test_social_worker_has_no_monitoring(social):
    # The role may never see monitoring: 403 (the one outsider rule; was 404).
    assert _get(social, reverse("monitoring:social")).status_code == 403


def _csv(user, url):
    r = _get(user, url)
    assert r.status_code == 200, r.status_code
    return r


def test_export_is_live_figures_only(in_service, provider, ministry, oblast, front, resident):
    """The CSV/XLSX of /monitoring/social/ (core.exports' one writer): the figures computed from the cases now —
    a delivery logged moves «people served» — and never a name, number or case of a person."""
    import csv
    import io

    from hromada.audit.models import AuditEntry

    url = reverse("monitoring:social_area", args=["hromada", BARANIVSKA])
    today = timezone.localdate()
    period = f"?period={today:%Y-%m}"

    def figures():
        body = _csv(oblast, url + period + "&export=csv&format=machine").content.decode()
        rows = list(csv.DictReader(io.StringIO(body)))
        return rows[0]

    before = figures()
    assert before["unit_code"] == BARANIVSKA
    expected = selectors.indicator_figures({"code": BARANIVSKA}, today.replace(day=1), today)[None]
    assert int(before["applications"]) == expected["applications"] >= 1
    assert int(before["waiting"]) == expected["waiting"]
    services.record_delivery(actor=provider, case_id=in_service.pk, service_code="home_care")
    after = figures()
    assert int(after["people_served"]) == int(before["people_served"]) + 1
    assert int(after["served_home_care"]) == int(before["served_home_care"]) + 1
    human = _csv(ministry, reverse("monitoring:social") + period + "&export=csv").content.decode("utf-8-sig")
    assert "Заяв на соціальні послуги" in human.splitlines()[0] and "Житомирська" in human
    for body in (human, str(after)):
        assert resident.last_name not in body and in_service.number not in body
    xlsx = _csv(oblast, url + period + "&export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and xlsx.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="monitoring.export").exists()
    # Roles without monitoring get 403 for the file too.
    for user in (provider, front):
        assert _get(user, url + "?export=csv").status_code == 403
