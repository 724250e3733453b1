"""The public status check: the right fields and none of the personal ones, a wrong code answers like an
unknown number, throttling per address without locking the resident out, every look recorded and counted."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hromada.applications import checkcode
from hromada.applications.models import Application, Status
from hromada.backoffice.tests.factories import submitted_case
from hromada.notifications.models import StatusLook

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/status"
FIELDS = {"number", "service", "status", "status_label", "submitted_at", "due_date", "missing_documents",
          "result_ready", "collect_at"}


def _forbidden(app) -> list[str]:
    person = app.applicant_person
    person.rnokpp = "3012345678"
    return [person.last_name, person.first_name, person.patronymic, person.id_document_number, "+380671234567",
            "maria@example.com", "Петренко", "3012345678"]


def _get(client, app=None, *, number=None, code=None, ip="203.0.113.5", path=URL):
    return client.get(path, {"number": number if number is not None else app.number,
                              "code": code if code is not None else app.check_code}, REMOTE_ADDR=ip)


@pytest.fixture
def open_case(demo):
    today = timezone.localdate()
    return submitted_case(status=Status.IN_REVIEW, documents_deadline=today + timedelta(days=20))


def test_check_code_is_random_long_and_without_look_alikes(demo):
    codes = {checkcode.new_check_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) >= 8 and not set(c) & set("0O1IL2Z5S8B") for c in codes)
    a, b = submitted_case(), submitted_case()
    assert a.check_code != b.check_code and a.number not in a.check_code


def test_public_status_answers_the_right_fields_and_nothing_personal(client, open_case):
    answer = _get(client, open_case)
    assert answer.status_code == 200
    data = answer.json()
    assert set(data) == FIELDS
    assert data["number"] == open_case.number and data["service"] == open_case.service.name_uk
    assert data["status"] == "in_review" and data["status_label"] == "Заява на розгляді"
    assert data["submitted_at"] == open_case.application_date.isoformat()
    assert data["due_date"] == open_case.due_date.isoformat() and data["result_ready"] is False
    assert data["collect_at"] is None
    missing = data["missing_documents"]
    assert missing and all(set(m) == {"title", "due"} for m in missing)
    assert {m["due"] for m in missing} == {open_case.documents_deadline.isoformat()}
    body = answer.content.decode()
    for secret in _forbidden(open_case) + [open_case.check_code]:
        assert secret not in body


def test_the_html_page_shows_the_same_and_nothing_personal(client, open_case):
    page = _get(client, open_case, path="/status/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="uk"' in html and 'name="viewport"' in html and "<script" not in html.split("</main>")[0]
    for shown in (open_case.number, open_case.service.name_uk, "Заява на розгляді",
                  open_case.due_date.strftime("%d.%m.%Y"), open_case.documents_deadline.strftime("%d.%m.%Y")):
        assert shown in html
    for secret in _forbidden(open_case) + [open_case.check_code]:
        assert secret not in html


def test_result_ready_says_where_to_collect_without_outcome_or_amount(client, demo):
    app = submitted_case(status=Status.RESULT_SENT)
    office = app.front_office
    office.address, office.opening_hours = "вул. Соборна, 1", "пн–пт 8:00–17:00"
    office.save(update_fields=["address", "opening_hours"])
    data = _get(client, app).json()
    assert data["result_ready"] is True and data["status"] == "result_ready" and data["missing_documents"] == []
    assert data["collect_at"] == {"office": office.name, "address": "вул. Соборна, 1", "hours": "пн–пт 8:00–17:00"}
    html = _get(client, app, path="/status/").content.decode()
    assert "Результат можна отримати у" in html and "вул. Соборна, 1" in html and "пн–пт 8:00–17:00" in html
    for word in ("призначено", "відмовлено", "грн"):
        assert word not in html.lower() and word not in str(data).lower()


def test_wrong_code_and_unknown_number_are_indistinguishable(client, open_case):
    wrong = _get(client, open_case, code="AAAAAAAA")
    unknown = _get(client, number="99-99-999-2026-999999", code=open_case.check_code)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() and wrong.json()["code"] == "not_found"
    wrong_page = _get(client, open_case, code="AAAAAAAA", path="/status/")
    unknown_page = _get(client, number="99-99-999-2026-999999", code=open_case.check_code, path="/status/")
    assert wrong_page.status_code == unknown_page.status_code == 404

    def strip(response, number):
        html = response.content.decode().replace(number, "N")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)
    assert strip(wrong_page, open_case.number) == strip(unknown_page, "99-99-999-2026-999999")
    # A draft is not findable even with its code (nothing was handed to the resident yet).
    draft = submitted_case(status=Status.DRAFT)
    Application.objects.filter(pk=draft.pk).update(first_submitted_at=None)
    assert _get(client, draft).status_code == 404


def test_the_code_as_a_resident_types_it(client, open_case):
    typed = checkcode.display(open_case.check_code).lower()
    cyrillic = typed.translate(str.maketrans("acehkmptxy", "асенкмртху"))
    assert _get(client, open_case, code=f" {cyrillic} ").status_code == 200


def test_every_look_is_recorded_and_counted_on_the_case(client, open_case):
    _get(client, open_case, ip="198.51.100.7")
    _get(client, open_case, ip="198.51.100.7")
    _get(client, open_case, code="WRONGCOD", ip="198.51.100.8")
    looks = list(StatusLook.objects.filter(number=open_case.number).order_by("id"))
    assert [(lk.found, lk.ip, lk.application_id) for lk in looks] == [
        (True, "198.51.100.7", open_case.pk), (True, "198.51.100.7", open_case.pk),
        (False, "198.51.100.8", None)]
    assert all(lk.at for lk in looks)
    assert Application.objects.get(pk=open_case.pk).status_checks == 2


def test_repeated_wrong_codes_are_throttled_per_address_without_locking_the_resident_out(client, open_case, settings):
    settings.HROMADA_STATUS_CHECK_LIMIT = 3
    for n in range(3):
        assert _get(client, open_case, code=f"WRONG{n:03d}", ip="192.0.2.66").status_code == 404
    throttled = _get(client, open_case, ip="192.0.2.66")              # even with the right code from there
    assert throttled.status_code == 429 and throttled.json()["code"] == "rate_limited"
    assert "Забагато" in throttled.json()["message"]
    page = _get(client, open_case, ip="192.0.2.66", path="/status/")
    assert page.status_code == 429 and "Забагато невдалих спроб" in page.content.decode()
    # The resident at home (another address) is not locked out of her own code.
    assert _get(client, open_case, ip="192.0.2.10").status_code == 200
    # The window passes: the address may try again.
    StatusLook.objects.filter(ip="192.0.2.66").update(at=timezone.now() - timedelta(hours=1))
    assert _get(client, open_case, ip="192.0.2.66").status_code == 200


def test_the_form_works_without_a_number(client, demo):
    page = client.get("/status/")
    assert page.status_code == 200 and 'name="number"' in page.content.decode()
    assert not StatusLook.objects.exists()


def test_application_api_carries_the_check_code_once_submitted(api, front, demo):
    app = submitted_case()
    assert api(front).get(f"applications/{app.pk}").json()["check_code"] == app.check_code
    Application.objects.filter(pk=app.pk).update(first_submitted_at=None, status=Status.DRAFT)
    assert api(front).get(f"applications/{app.pk}").json()["check_code"] is None


def test_status_page_is_reachable_without_login():
    assert Client().get("/status/").status_code == 200


def test_old_looks_are_forgotten_and_the_count_on_the_case_stays(open_case, settings):
    from hromada.notifications.services import purge_status_looks

    settings.HROMADA_STATUS_LOOK_RETENTION_DAYS = 30
    client = Client()
    assert _get(client, open_case).status_code == 200
    assert _get(client, number="99999", code="XXXXXXXX").status_code == 404
    StatusLook.objects.filter(found=False).update(at=timezone.now() - timedelta(days=31))
    assert purge_status_looks() == 1
    assert list(StatusLook.objects.values_list("found", flat=True)) == [True]
    open_case.refresh_from_db()
    assert open_case.status_checks == 1
    assert settings.CELERY_BEAT_SCHEDULE["purge-status-looks"]["task"] == "notifications.purge_status_looks"
