"""What tells the resident: result ready, returned for correction, documents due in 3 days, decision deadline
passed — each only with consent, once per occasion, in Ukrainian, SMS in one Cyrillic segment."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hromada.applications.models import Status
from hromada.backoffice import services as backoffice
from hromada.backoffice.tests.factories import submitted_case
from hromada.notifications import services, texts
from hromada.notifications.models import Consent, Kind, Notification, State
from hromada.notifications.tests.doubles import LocmemSms

from .conftest import consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.HROMADA_SMS_BACKEND = "hromada.notifications.tests.doubles.LocmemSms"
    LocmemSms.outbox = []
    return LocmemSms.outbox


def test_returned_for_correction_tells_what_to_bring(back, outbox, django_capture_on_commit_callbacks):
    app = submitted_case()
    consent(app, "sms", "email")
    backoffice.take_application(actor=back, application_id=app.pk)
    with django_capture_on_commit_callbacks(execute=True):
        backoffice.return_for_correction(actor=back, application_id=app.pk, reason="Нечитабельна копія",
                                         items=["Свідоцтво про народження дитини (чітка копія)"])
    (phone, sms), = outbox
    assert sms == f"Марія, заява {app.number} потребує виправлення" and len(sms) <= 70
    message = mail.outbox[-1]
    assert "Свідоцтво про народження дитини (чітка копія)" in message.body and app.number in message.subject
    assert set(Notification.objects.filter(application=app).values_list("kind", "state")) == {
        (Kind.RETURNED, State.SENT)}


def test_documents_due_in_three_days_once(outbox, demo, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    due = submitted_case(documents_deadline=today + timedelta(days=3))
    later = submitted_case(documents_deadline=today + timedelta(days=5))
    for app in (due, later):
        consent(app, "sms")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_documents_due(today=today) >= 1
    texts_sent = [t for _p, t in outbox if due.number in t]
    assert texts_sent == [f"Марія, до {due.documents_deadline:%d.%m} донесіть документи до заяви {due.number}"]
    assert len(texts_sent[0]) <= 70 and not [t for _p, t in outbox if later.number in t]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_documents_due(today=today)                      # the task ran twice: told once
    assert len([t for _p, t in outbox if due.number in t]) == 1


def test_decision_deadline_passed_once_per_due_date(outbox, demo, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    late = submitted_case(status=Status.IN_REVIEW, due_date=today - timedelta(days=1))
    ancient = submitted_case(status=Status.IN_REVIEW, due_date=today - timedelta(days=60))
    decided = submitted_case(status=Status.RESULT_SENT, due_date=today - timedelta(days=1))
    for app in (late, ancient, decided):
        consent(app, "sms")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_deadline_passed(today=today)
        services.notify_deadline_passed(today=today)
    told = {app.number for app in (late, ancient, decided) if any(app.number in t for _p, t in outbox)}
    assert told == {late.number}
    assert Notification.objects.get(application=late).reference == late.due_date.isoformat()


def test_sms_texts_fit_one_segment_and_drop_a_long_name(demo):
    app = submitted_case()
    for kind in Kind.values:
        message = texts.render(kind, app, first_name="Марія", due=timezone.localdate())
        assert "Марія" in message.sms and len(message.sms) <= texts.SMS_SEGMENT, message.sms
        long = texts.render(kind, app, first_name="Олександра-Вікторія", due=timezone.localdate())
        assert len(long.sms) <= texts.SMS_SEGMENT and app.number in long.sms


def test_consent_recorded_on_the_card_and_audited(front, front2, demo, client):
    app = submitted_case()
    client.force_login(front)
    answer = client.post(f"/notifications/consent/{app.pk}/", {"sms": "on"})
    assert answer.status_code == 302
    assert dict(Consent.objects.filter(person=app.applicant_person).values_list("channel", "granted")) == {
        "sms": True, "email": False}
    consent_row = Consent.objects.get(person=app.applicant_person, channel="sms")
    assert consent_row.recorded_by == front
    from hromada.audit.models import AuditEntry
    assert AuditEntry.objects.filter(action="notification.consent", actor=front).count() == 2
    client.force_login(front2)                       # another hromada's front office: not found
    assert client.post(f"/notifications/consent/{app.pk}/", {"email": "on"}).status_code == 404


def test_consent_api(api, front, back, demo):
    app = submitted_case()
    answer = api(front).put(f"applications/{app.pk}/consents/email", {"granted": True})
    assert answer.status_code == 200 and answer.json()["granted"] is True
    assert api(front).put(f"applications/{app.pk}/consents/fax", {"granted": True}).json()["code"] == \
        "invalid_channel"
    assert api(back).put(f"applications/{app.pk}/consents/sms", {"granted": True}).status_code == 403
