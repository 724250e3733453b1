"""Issue #17, points 1, 3, 4: the decision on the front office's case and its hand-out, search by number /
РНОКПП / surname, the notification contacts and the specialist's note kept on the application."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hromada.applications.models import Application, IssueMethod, Status
from hromada.applications.selectors import events_of
from hromada.applications.services.intake import create_application, submit_application
from hromada.backoffice import services as back_services
from hromada.core.errors import ValidationFailed
from hromada.notifications import services as notification_services
from hromada.notifications.models import Notification
from hromada.testing import case_events

from .factories import fill_required, make_person

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def _submitted(front, person, **contacts):
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk, **contacts)
    fill_required(app, front)
    submit_application(actor=front, application_id=app.pk)
    return Application.objects.get(pk=app.pk)


def _granted(app, back):
    back_services.take_application(actor=back, application_id=app.pk)
    return back_services.decide(actor=back, application_id=app.pk, outcome="granted", amount="10320",
                                period_from=date(2026, 12, 1), period_to=date(2027, 11, 30),
                                comment="Виплата одноразово та щомісяця")


def _refused(app, back):
    back_services.take_application(actor=back, application_id=app.pk)
    return back_services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="no_right")


# --- 4. contacts and the note -------------------------------------------------------------------------------------


def test_contacts_taken_at_creation_survive_submission_and_reach_the_back_office(front, back, person, api):
    res = api(front).post("applications", {
        "service_code": "birth_assistance", "applicant_id": person.pk, "contact_phone": "067 123 45 67",
        "contact_email": "Maria@Example.com", "note": "Телефонувати після 14:00"})
    assert res.status_code == 201, res.content
    body = res.json()
    assert (body["contact_phone"], body["contact_email"], body["note"]) == (
        "+380671234567", "maria@example.com", "Телефонувати після 14:00")
    fill_required(Application.objects.get(pk=body["id"]), front)
    assert api(front).post(f"applications/{body['id']}/submit").status_code == 200
    app = Application.objects.get(pk=body["id"])
    assert app.status == Status.SUBMITTED and app.draft_data == {}
    assert (app.contact_phone, app.contact_email, app.note) == (
        "+380671234567", "maria@example.com", "Телефонувати після 14:00")
    got = api(front).get(f"applications/{app.pk}").json()
    assert got["contact_phone"] == "+380671234567" and got["note"] == "Телефонувати після 14:00"
    page = _client(back).get(reverse("back:case", args=[app.pk])).content.decode()
    assert "+380671234567" in page and "maria@example.com" in page and "Телефонувати після 14:00" in page


def test_draft_put_takes_contacts_and_refuses_bad_ones(front, person, api):
    client = api(front)
    app_id = client.post("applications", {"service_code": "birth_assistance", "applicant_id": person.pk}).json()["id"]
    res = client.put(f"applications/{app_id}/draft", {"data": {"note": "чернетка"}, "contact_phone": "0501112233",
                                                       "note": "Прийшла з дитиною"})
    assert res.status_code == 200, res.content
    assert res.json()["contact_phone"] == "+380501112233" and res.json()["note"] == "Прийшла з дитиною"
    assert res.json()["draft_data"] == {"note": "чернетка"}
    res = client.put(f"applications/{app_id}/draft", {"contact_phone": "12345"})
    assert res.status_code == 422 and res.json()["code"] == "invalid_phone" and "+380" in res.json()["message"]
    res = client.put(f"applications/{app_id}/draft", {"contact_email": "не пошта"})
    assert res.status_code == 422 and res.json()["code"] == "invalid_email"
    res = client.post("applications", {"service_code": "birth_assistance", "applicant_id": person.pk,
                                       "contact_phone": "+1 555"})
    assert res.status_code == 422 and res.json()["code"] == "invalid_phone"
    # Omitting ``data`` keeps the stored draft; the refused values changed nothing.
    got = client.get(f"applications/{app_id}").json()
    assert got["draft_data"] == {"note": "чернетка"} and got["contact_phone"] == "+380501112233"
    assert got["contact_email"] == ""


def test_returned_case_takes_corrected_contacts_but_a_sent_one_does_not(front, back, person, api):
    app = _submitted(front, person, contact_phone="+380671111111")
    res = api(front).put(f"applications/{app.pk}/draft", {"contact_phone": "+380672222222"})
    assert res.status_code == 409 and res.json()["code"] == "application_read_only"
    back_services.take_application(actor=back, application_id=app.pk)
    back_services.return_for_correction(actor=back, application_id=app.pk, reason="Інший телефон", items=[])
    res = api(front).put(f"applications/{app.pk}/draft", {"contact_phone": "+380672222222",
                                                          "contact_email": "new@example.com"})
    assert res.status_code == 200, res.content
    # The same correction through the form of the returned case.
    c = _client(front)
    res = c.post(reverse("front:save_details", args=[app.pk]), {
        "channel": "in_person", "contact_phone": "+380673333333", "contact_email": "new@example.com",
        "note": "Номер змінено"})
    assert res.status_code == 302 and res["Location"] == reverse("front:edit", args=[app.pk])
    app.refresh_from_db()
    assert (app.contact_phone, app.note) == ("+380673333333", "Номер змінено")
    assert "+380673333333" in c.get(reverse("front:edit", args=[app.pk])).content.decode()


def test_wizard_autosave_stores_contacts_and_keeps_a_half_typed_phone(front, person):
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    c = _client(front)
    url = reverse("front:save_draft", args=[app.pk])
    res = c.post(url, {"contact_phone": "+38067", "note": "Нотатка", "version": app.version})
    assert "+380 і 9 цифр" in res.content.decode() and "збережено" in res.content.decode()
    app.refresh_from_db()
    assert app.draft_data["contact_phone"] == "+38067" and app.contact_phone == ""
    assert app.note == ""     # the whole contact set waits until the phone is valid
    assert 'value="+38067"' in c.get(reverse("front:edit", args=[app.pk])).content.decode()
    c.post(url, {"contact_phone": "+380671234567", "contact_email": "a@b.ua", "note": "Нотатка"})
    app.refresh_from_db()
    assert (app.contact_phone, app.contact_email, app.note) == ("+380671234567", "a@b.ua", "Нотатка")
    fill_required(app, front)
    submit_application(actor=front, application_id=app.pk)
    app.refresh_from_db()
    assert app.draft_data == {} and app.contact_phone == "+380671234567" and app.note == "Нотатка"
    assert "+380671234567" in c.get(reverse("front:card", args=[app.pk])).content.decode()


def test_autosaves_fired_one_after_another_do_not_conflict(front, person):
    """Typing in the phone and leaving it for the e-mail fires two saves with the same form version: the second
    one must be saved too (it was refused as «Дані змінено іншим користувачем», and every later one with it)."""
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
    c = _client(front)
    url = reverse("front:save_draft", args=[app.pk])
    first = c.post(url, {"contact_phone": "+380671234567", "version": app.version}).content.decode()
    second = c.post(url, {"contact_phone": "+380671234567", "contact_email": "a@b.ua",
                          "version": app.version}).content.decode()
    assert "Чернетку збережено" in first and "Чернетку збережено" in second, second
    app.refresh_from_db()
    assert app.contact_email == "a@b.ua"


def test_notification_goes_to_the_contacts_taken_for_it(front, back, person):
    app = _submitted(front, person, contact_phone="+380509998877", contact_email="notify@example.com")
    for channel in ("sms", "email"):
        notification_services.record_consent(actor=front, person_id=person.pk, channel=channel, granted=True)
    _granted(app, back)
    rows = {n.channel: n for n in Notification.objects.filter(application=app)}
    assert rows["sms"].recipient_masked.endswith("77") and rows["email"].recipient_masked.startswith("n")
    assert person.phone != "+380509998877"


# --- 1. the decision on the case and its hand-out -----------------------------------------------------------------


def test_front_office_sees_the_grant_and_reads_its_pdf(front, front2, back, person, api):
    app = _submitted(front, person)
    assert api(front).get(f"applications/{app.pk}").json()["decision"] is None
    _granted(app, back)
    body = api(front).get(f"applications/{app.pk}").json()
    assert body["status"] == Status.RESULT_SENT
    d = body["decision"]
    assert d["outcome"] == "granted" and Decimal(d["amount"]) == Decimal("10320.00")
    assert (d["period_from"], d["period_to"]) == ("2026-12-01", "2027-11-30")
    assert d["reason"] == "Виплата одноразово та щомісяця" and d["legal_basis"]
    assert d["decided_by"] == back.short_name and d["decided_at"]
    res = api(front).get(f"applications/{app.pk}/decision.pdf")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    text = _pdf_text(res.content)
    assert "РІШЕННЯ ПРО ПРИЗНАЧЕННЯ ДОПОМОГИ" in text and app.number in text and "10 320,00" in text
    assert "Посадова особа" in text and "Рішення отримав(ла)" in text and back.short_name in text
    assert api(front2).get(f"applications/{app.pk}/decision.pdf").status_code == 404
    # The page of the case: outcome, amount, period in Ukrainian dates, who decided; the print link.
    c = _client(front)
    page = c.get(reverse("front:card", args=[app.pk])).content.decode()
    assert 'id="decision-outcome">Призначено<' in page and "01.12.2026" in page and "30.11.2027" in page
    assert back.short_name in page and reverse("front:decision_pdf", args=[app.pk]) in page
    res = c.get(reverse("front:decision_pdf", args=[app.pk]))
    assert res.status_code == 200 and _pdf_text(res.content) == text
    assert _client(front2).get(reverse("front:decision_pdf", args=[app.pk])).status_code == 404


def test_front_office_sees_the_refusal_with_its_reason_and_legal_basis(front, back, person, api):
    app = _submitted(front, person)
    _refused(app, back)
    d = api(front).get(f"applications/{app.pk}").json()["decision"]
    assert d["outcome"] == "refused" and d["amount"] is None and d["period_from"] is None
    assert d["reason"] == "Заявник не має права на цей вид допомоги" and d["legal_basis"]
    page = _client(front).get(reverse("front:card", args=[app.pk])).content.decode()
    assert "Відмовлено" in page and "Заявник не має права на цей вид допомоги" in page and "no_right" not in page
    text = _pdf_text(api(front).get(f"applications/{app.pk}/decision.pdf").content)
    assert "ВІДМОВУ" in text and "Рішення отримав(ла)" in text


def test_no_decision_pdf_before_the_decision(front, person, api):
    app = _submitted(front, person)
    res = api(front).get(f"applications/{app.pk}/decision.pdf")
    assert res.status_code == 404 and res.json()["code"] == "no_decision"
    assert _client(front).get(reverse("front:decision_pdf", args=[app.pk])).status_code == 404


def test_issue_records_the_method_who_and_when_and_the_history_shows_it(front, front2, back, person, api):
    app = _submitted(front, person)
    _granted(app, back)
    assert api(front2).post(f"applications/{app.pk}/issue", {"method": "post"}).status_code == 404
    assert api(back).post(f"applications/{app.pk}/issue", {"method": "post"}).status_code == 403
    res = api(front).post(f"applications/{app.pk}/issue", {"method": "pigeon"})
    assert res.status_code == 422 and res.json()["code"] == "invalid_issue_method"
    res = api(front).post(f"applications/{app.pk}/issue")
    assert res.status_code == 422 and res.json()["code"] == "invalid_issue_method"
    assert Application.objects.get(pk=app.pk).status == Status.RESULT_SENT
    before = timezone.now()
    res = api(front).post(f"applications/{app.pk}/issue", {"method": "diia"})
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["status"] == Status.CLOSED and body["issue_method"] == "diia"
    assert body["issued_by"] == front.short_name
    app.refresh_from_db()
    assert app.issue_method == IssueMethod.DIIA and app.issued_by == front and app.issued_at >= before
    history = api(front).get(f"applications/{app.pk}/history").json()
    issue = next(e for e in history if e["action"] == "issue")
    assert issue["data"] == {"method": "diia"} and issue["label"] == "Результат видано заявнику (через Дію)"
    assert issue["actor"]
    page = _client(front).get(reverse("front:card", args=[app.pk])).content.decode()
    assert "Результат видано заявнику (через Дію)" in page and 'id="issued-info"' in page
    # Issued once: a second hand-out is refused by the state machine.
    assert api(front).post(f"applications/{app.pk}/issue", {"method": "post"}).status_code == 409


def test_results_page_oldest_first_with_the_outcome_and_the_form_issues(front, back, person, person2):
    first = _submitted(front, person)
    second = _submitted(front, make_person(front.office.hromada, last_name="Бондар"))
    _refused(second, back)
    _granted(first, back)
    Application.objects.filter(pk=second.pk).update(result_sent_at=timezone.now() - timedelta(days=2))
    c = _client(front)
    page = c.get(reverse("front:results")).content.decode()
    assert page.index(second.number) < page.index(first.number)     # the oldest result first
    assert "Призначено" in page and "Відмовлено" in page and "320,00 грн, з 01.12.2026 по 30.11.2027" in page
    assert "Заявник не має права на цей вид допомоги" in page
    assert "Результат у фронт-офісі" not in page     # the outcome, not the status name
    res = c.post(reverse("front:issue", args=[first.pk]), {"method": "in_person", "back": reverse("front:results"),
                                                          "version": Application.objects.get(pk=first.pk).version})
    assert res.status_code == 302
    first.refresh_from_db()
    assert first.status == Status.CLOSED and first.issue_method == "in_person"
    res = c.post(reverse("front:issue", args=[second.pk]), {"method": "", "back": reverse("front:results")},
                 follow=True)
    assert "Оберіть, як видано результат" in res.content.decode()
    assert Application.objects.get(pk=second.pk).status == Status.RESULT_SENT
    assert [e.data for e in case_events(first, "issue")] == [{}]   # the method is the case's issue_method
    assert [e.data["method"] for e in events_of(first) if e.action == "issue"] == ["in_person"]


def test_issue_service_refuses_an_unknown_method(front, back, person):
    from hromada.applications.services.front import issue_result

    app = _submitted(front, person)
    _granted(app, back)
    with pytest.raises(ValidationFailed) as exc:
        issue_result(actor=front, application_id=app.pk, method="fax")
    assert exc.value.code == "invalid_issue_method"


# --- 3. search ------------------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(front, front2):
    hromada = front.office.hromada
    ours = make_person(hromada, last_name="Мʼяскович", first_name="Ганна", rnokpp="3456789012",
                       name_key="мʼяскович ганна іванівна")
    other = make_person(hromada, last_name="Петренко", first_name="Олег", name_key="петренко олег іванович")
    foreign = make_person(front2.office.hromada, last_name="Мʼяскович", first_name="Інна",
                          name_key="мʼяскович інна петрівна")
    a = _submitted(front, ours)
    b = _submitted(front, other)
    c = create_application(actor=front2, service_code="birth_assistance", applicant_id=foreign.pk)
    return {"ours": a, "other": b, "foreign": c, "person": ours}


@pytest.mark.parametrize("q", ["м'яскович", "М’ЯСКОВИЧ", "мʼяск", "Мʼяскович Ганна", "3456789012"])
def test_api_search_by_surname_or_rnokpp_within_scope(front, searchable, api, q):
    items = api(front).get("applications", {"q": q}).json()["items"]
    assert [i["id"] for i in items] == [searchable["ours"].pk]


def test_search_by_number_and_nothing_outside_the_scope(front, front2, searchable, api):
    number = searchable["ours"].number
    assert [i["id"] for i in api(front).get("applications", {"q": number}).json()["items"]] == [searchable["ours"].pk]
    assert api(front).get("applications", {"q": "яскович"}).json()["count"] == 0     # a prefix, not a substring
    assert api(front).get("applications", {"q": "345678901"}).json()["count"] == 0  # the whole РНОКПП
    found = api(front2).get("applications", {"q": "мʼяскович"}).json()["items"]
    assert [i["id"] for i in found] == [searchable["foreign"].pk]
    assert api(front2).get("applications", {"q": "3456789012"}).json()["count"] == 0


def test_front_list_page_searches(front, searchable):
    page = _client(front).get(reverse("front:list"), {"q": "м'яскович"}).content.decode()
    assert searchable["ours"].number in page and searchable["other"].number not in page
    assert searchable["foreign"].number not in page


def test_back_office_queue_searches_every_status_in_its_scope(front, back, back2, searchable, api):
    ours, other = searchable["ours"], searchable["other"]
    _granted(ours, back)     # decided: no longer in the default queue, still found by a search
    c = _client(back)
    assert ours.number not in c.get(reverse("back:queue")).content.decode()
    page = c.get(reverse("back:queue"), {"q": "М'ЯСКОВИЧ"}).content.decode()
    assert ours.number in page and other.number not in page and searchable["foreign"].number not in page
    assert 'name="q"' in page
    page = c.get(reverse("back:queue"), {"q": "3456789012"}).content.decode()
    assert ours.number in page and other.number not in page
    rows = api(back).get("backoffice/queue", {"q": "мʼяск"}).json()["results"]
    assert [r["id"] for r in rows] == [ours.pk]
    assert api(back).get("backoffice/queue", {"q": other.number}).json()["results"][0]["id"] == other.pk
    assert ours.number not in _client(back2).get(reverse("back:queue"), {"q": "мʼяскович"}).content.decode()
