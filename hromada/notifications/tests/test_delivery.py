"""Messages really leave: an e-mail arrives at a local SMTP server, an SMS at the stand-in gateway process; the
states are told honestly (retries, failed, delivered only on a report, not_sent when nothing went out)."""
from __future__ import annotations

import json
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from hromada.notifications import selectors, services, tasks
from hromada.notifications.models import EarlyReport, Kind, Notification, State

from .conftest import REPORT_SECRET, consent

pytestmark = pytest.mark.django_db


def _notify(app, kind=Kind.RESULT_READY, capture=None, reference=""):
    with capture(execute=True):
        return services.notify_resident(application=app, kind=kind, reference=reference)


def test_email_arrives_at_the_smtp_server(case, smtp_server, sms_gateway, django_capture_on_commit_callbacks):
    _notify(case, capture=django_capture_on_commit_callbacks)
    (envelope,) = smtp_server.messages
    assert smtp_server.logins == [("hromada", "smtp-secret")]          # EMAIL_HOST_USER / PASSWORD were used
    assert envelope.mail_from == "hromada@example.gov.ua" and envelope.rcpt_tos == ["maria@example.com"]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    body = message.get_body().get_content()
    assert case.number in message["Subject"] and "Марія" in body and case.front_office.name in body
    assert "Петренко" not in body
    row = Notification.objects.get(application=case, channel="email")
    # SMTP accepted it; e-mail has no delivery report, so it never becomes "delivered".
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 1, "") and row.sent_at


def test_sms_arrives_at_the_gateway_in_its_protocol(case, smtp_server, sms_gateway,
                                                    django_capture_on_commit_callbacks):
    _notify(case, capture=django_capture_on_commit_callbacks)
    (received,) = sms_gateway.messages()
    assert received["to"] == "+380671234567" and received["sender"] == "Hromada"
    assert received["text"] == f"Марія, результат за заявою {case.number} готовий"
    assert len(received["text"]) <= 70 and "Петренко" not in received["text"]
    assert received["report_url"].endswith("/api/v1/public/sms/delivery-report")
    row = Notification.objects.get(application=case, channel="sms")
    assert row.state == State.SENT and row.provider_id == received["id"] and row.via_stand_in
    assert row.recipient_masked == "+380*****67"


def test_wrong_gateway_token_is_a_permanent_failure(case, sms_gateway, settings, django_capture_on_commit_callbacks):
    settings.HROMADA_SMS_GATEWAY_TOKEN = "wrong"
    consent(case, "sms")
    _notify(case, capture=django_capture_on_commit_callbacks)
    row = Notification.objects.get(application=case, channel="sms")
    assert row.state == State.FAILED and row.attempts == 1
    assert row.last_error == "SMS-шлюз відмовив (HTTP 401). bad token"


def test_gateway_down_retries_then_failed_visible_on_the_case_and_counted(
        case, sms_gateway, smtp_server, front, front2, api, django_capture_on_commit_callbacks):
    sms_gateway.control(mode="fail")
    _notify(case, capture=django_capture_on_commit_callbacks)
    # 1 try + HROMADA_NOTIFY_MAX_RETRIES (3) retries, each one reached the gateway; then failed for good.
    assert len(sms_gateway.messages()) == 4
    row = Notification.objects.get(application=case, channel="sms")
    assert (row.state, row.attempts) == (State.FAILED, 4)
    assert row.last_error == "SMS-шлюз тимчасово недоступний (HTTP 503)."
    answer = api(front).get(f"applications/{case.pk}/notifications")
    assert answer.status_code == 200
    by_channel = {n["channel"]: n for n in answer.json()}
    assert by_channel["sms"]["state"] == "failed" and by_channel["sms"]["attempts"] == 4
    assert by_channel["sms"]["kind"] == "result_ready" and by_channel["email"]["state"] == "sent"
    assert set(by_channel["sms"]) == {"channel", "kind", "state", "attempts", "last_error", "created_at",
                                      "updated_at"}
    # The front office that accepted the case counts it; another hromada's front office neither counts nor sees it.
    assert selectors.failed_notifications_count(front) == 1
    assert api(front).get("notifications/failed-count").json() == {"count": 1}
    assert selectors.failed_notifications_count(front2) == 0
    assert api(front2).get(f"applications/{case.pk}/notifications").status_code == 404
    # The card shows it; after the phone call it leaves the worklist but stays failed.
    from django.test import Client
    client = Client()
    client.force_login(front)
    page = client.get(f"/front/{case.pk}/").content.decode()
    panel = page[page.index("notifications-h"):page.index("hist-h")]
    assert 'data-state="failed"' in panel and "шлюз-замінник" in panel, panel
    assert "SMS-шлюз тимчасово недоступний (HTTP 503)" in panel
    # The front office's home counts it among the day's work (the resident to call).
    home = client.get("/").content.decode()
    failed = home[home.index('id="notify-failed"'):]
    assert '<span class="n">1</span>' in failed[:failed.index("</section>")]
    services.mark_resident_called(actor=front, notification_id=row.pk)
    assert selectors.failed_notifications_count(front) == 0
    home = client.get("/").content.decode()
    failed = home[home.index('id="notify-failed"'):]
    assert '<span class="n">0</span>' in failed[:failed.index("</section>")]
    assert Notification.objects.get(pk=row.pk).state == State.FAILED


def test_transient_failure_then_success_on_retry(case, sms_gateway, django_capture_on_commit_callbacks):
    sms_gateway.control(mode="fail", fail_times=2)
    _notify(case, capture=django_capture_on_commit_callbacks)
    assert [m["answer"] for m in sms_gateway.messages()] == [503, 503, 200]
    row = Notification.objects.get(application=case, channel="sms")
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 3, "")


def test_slow_gateway_times_out_and_is_retried(case, sms_gateway, settings, django_capture_on_commit_callbacks):
    settings.HROMADA_SMS_TIMEOUT = 0.3
    settings.HROMADA_NOTIFY_MAX_RETRIES = 1
    sms_gateway.control(delay=1.0)
    _notify(case, capture=django_capture_on_commit_callbacks)
    row = Notification.objects.get(application=case, channel="sms")
    assert row.state == State.FAILED and row.attempts == 2
    assert row.last_error.startswith("Немає зв’язку з SMS-шлюзом (") and "timed out" in row.last_error


def test_rejected_number_fails_at_once(case, sms_gateway, django_capture_on_commit_callbacks):
    sms_gateway.control(mode="reject")
    _notify(case, capture=django_capture_on_commit_callbacks)
    row = Notification.objects.get(application=case, channel="sms")
    assert row.state == State.FAILED and row.attempts == 1 and "номер не обслуговується" in row.last_error


def test_backoff_is_exponential_and_capped(settings):
    settings.HROMADA_NOTIFY_RETRY_BASE_SECONDS, settings.HROMADA_NOTIFY_RETRY_MAX_SECONDS = 30, 200
    assert [tasks.backoff(n) for n in range(5)] == [30, 60, 120, 200, 200]


def _sms_row(app):
    return Notification.objects.get(application=app, channel="sms")


def test_delivery_report_marks_delivered_end_to_end(live_server, demo, sms_gateway, settings):
    """The gateway posts its report to the running site with the shared secret; only then: delivered."""
    settings.HROMADA_PUBLIC_URL = live_server.url
    from hromada.backoffice.tests.factories import submitted_case
    app = submitted_case()
    consent(app, "sms")
    services.notify_resident(application=app, kind=Kind.RESULT_READY)   # autocommit: delivery runs at once
    row = _sms_row(app)
    assert row.state == State.SENT and row.delivered_at is None and row.sending_since is None
    assert sms_gateway.report(row.provider_id) == 200
    row.refresh_from_db()
    assert row.state == State.DELIVERED and row.delivered_at
    assert [r["answered"] for r in sms_gateway.reports()] == [200]


@pytest.mark.parametrize("status", ["delivered", "undelivered"])
def test_a_report_that_comes_before_the_send_is_recorded_is_kept_and_applied(live_server, demo, sms_gateway,
                                                                              settings, status):
    """A fast gateway reports before it even answers the send: the report is kept (202) and applied when the
    send records the message's id. Before, it was answered 404 and lost (the send's transaction held the id)."""
    settings.HROMADA_PUBLIC_URL = live_server.url
    from hromada.backoffice.tests.factories import submitted_case
    app = submitted_case()
    consent(app, "sms")
    sms_gateway.control(report=status, report_first=True)
    services.notify_resident(application=app, kind=Kind.RESULT_READY)
    (report,) = sms_gateway.reports()
    assert report["answered"] == 202
    row = _sms_row(app)
    assert row.provider_id == report["id"] and row.sent_at
    if status == "delivered":
        assert row.state == State.DELIVERED and row.delivered_at
    else:
        assert row.state == State.FAILED and "undelivered" in row.last_error and row.delivered_at is None
    assert not EarlyReport.objects.exists()


def test_an_early_report_waits_for_its_message_and_is_forgotten_after_two_days(case, sms_gateway):
    kept = services.record_delivery_report(secret=REPORT_SECRET, message_id="gw-early", status="delivered")
    assert kept is None and EarlyReport.objects.get(message_id="gw-early").status == "delivered"
    # Told twice (a gateway's retry), it is kept once, with the last word.
    services.record_delivery_report(secret=REPORT_SECRET, message_id="gw-early", status="expired", error="x")
    assert list(EarlyReport.objects.values_list("status", flat=True)) == ["expired"]
    assert services.purge_early_reports() == 0
    assert services.purge_early_reports(now=timezone.now() + timedelta(days=2, minutes=1)) == 1
    assert not EarlyReport.objects.exists()
    assert settings.CELERY_BEAT_SCHEDULE["purge-early-reports"]["task"] == "notifications.purge_early_reports"


def test_a_second_worker_does_not_send_a_message_being_sent(case, sms_gateway, django_capture_on_commit_callbacks):
    """A redelivered task (acks_late) that finds the message claimed by a live sender leaves it alone; a claim
    past the lease (the sender died) is taken over, and the stranded sweep finds it."""
    with django_capture_on_commit_callbacks(execute=False):
        services.notify_resident(application=case, kind=Kind.RESULT_READY)
    row = _sms_row(case)
    Notification.objects.filter(pk=row.pk).update(sending_since=timezone.now(), attempts=1)
    assert services.deliver_notification(notification_id=row.pk, last_try=False) == services.Delivery(State.QUEUED)
    assert sms_gateway.messages() == []
    assert row.pk not in services.stranded_notifications(older_than=timezone.now())
    died = timezone.now() - services.SEND_LEASE - timedelta(seconds=1)
    Notification.objects.filter(pk=row.pk).update(sending_since=died)
    assert row.pk in services.stranded_notifications(older_than=timezone.now())
    assert services.deliver_notification(notification_id=row.pk, last_try=False).state == State.SENT
    row.refresh_from_db()
    assert len(sms_gateway.messages()) == 1 and row.attempts == 2 and row.sending_since is None


def test_no_transaction_is_open_while_the_gateway_is_called(case, sms_gateway, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    """A slow gateway holds no lock: on SQLite an open write transaction would stop every writer of the hromada."""
    from django.db import connection

    from hromada.notifications import channels
    seen = []
    real = channels.HttpJsonGateway.send

    def send(self, **kwargs):
        seen.append(len(connection.savepoint_ids))
        return real(self, **kwargs)

    monkeypatch.setattr(channels.HttpJsonGateway, "send", send)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify_resident(application=case, kind=Kind.RESULT_READY)
    depth = len(connection.savepoint_ids)        # the test's own transaction (pytest-django) and nothing more
    for callback in callbacks:
        callback()
    assert seen == [depth] and _sms_row(case).state == State.SENT


def test_delivery_report_of_non_delivery(case, sms_gateway, client, django_capture_on_commit_callbacks):
    _notify(case, capture=django_capture_on_commit_callbacks)
    row = Notification.objects.get(application=case, channel="sms")
    url = "/api/v1/public/sms/delivery-report"
    payload = json.dumps({"id": row.provider_id, "status": "undelivered", "error": "абонент недоступний"})
    wrong = client.post(url, payload, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_report_secret"
    assert Notification.objects.get(pk=row.pk).state == State.SENT
    ok = client.post(url, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {REPORT_SECRET}")
    assert ok.status_code == 200 and ok.json() == {"state": "failed"}
    row.refresh_from_db()
    assert row.state == State.FAILED and "абонент недоступний" in row.last_error and row.delivered_at is None
    # A late "delivered" for a message already failed changes nothing; an unknown id is 404.
    late = json.dumps({"id": row.provider_id, "status": "delivered"})
    client.post(url, late, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {REPORT_SECRET}")
    assert Notification.objects.get(pk=row.pk).state == State.FAILED
    unknown = client.post(url, json.dumps({"id": "nope", "status": "delivered"}), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {REPORT_SECRET}")
    assert unknown.status_code == 202 and unknown.json() == {"state": "pending"}
    for bad in ("", " ", "x" * 129):
        refused = client.post(url, json.dumps({"id": bad, "status": "delivered"}), content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {REPORT_SECRET}")
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_report_id"


def test_reports_refused_without_a_configured_secret(client, settings):
    settings.HROMADA_SMS_REPORT_SECRET = ""
    answer = client.post("/api/v1/public/sms/delivery-report", json.dumps({"id": "x", "status": "delivered"}),
                         content_type="application/json", HTTP_AUTHORIZATION="Bearer ")
    assert answer.status_code == 401


def test_no_consent_nothing_sent(demo, sms_gateway, smtp_server, django_capture_on_commit_callbacks):
    from hromada.backoffice.tests.factories import submitted_case
    app = submitted_case()
    consent(app, "email")                           # e-mail yes, SMS not asked
    _notify(app, capture=django_capture_on_commit_callbacks)
    assert sms_gateway.messages() == [] and len(smtp_server.messages) == 1
    assert list(Notification.objects.filter(application=app).values_list("channel", flat=True)) == ["email"]


def test_consent_withdrawn_before_delivery(case, sms_gateway, front, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify_resident(application=case, kind=Kind.RESULT_READY)
    services.record_consent(actor=front, person_id=case.applicant_person_id, channel="sms", granted=False)
    for callback in callbacks:
        callback()
    row = Notification.objects.get(application=case, channel="sms")
    assert row.state == State.NOT_SENT and "відкликав" in row.last_error and sms_gateway.messages() == []


def test_no_channel_configured_is_not_sent_with_the_reason(case, settings, django_capture_on_commit_callbacks):
    settings.HROMADA_SMS_BACKEND = ""
    settings.EMAIL_BACKEND = "hromada.notifications.channels.UnconfiguredEmailBackend"
    _notify(case, capture=django_capture_on_commit_callbacks)
    rows = {n.channel: n for n in Notification.objects.filter(application=case)}
    assert rows["sms"].state == State.NOT_SENT and "HROMADA_SMS_GATEWAY_URL" in rows["sms"].last_error
    assert rows["email"].state == State.NOT_SENT and "EMAIL_HOST" in rows["email"].last_error
    assert mail.outbox == []


def test_the_development_console_is_not_sending(case, settings, django_capture_on_commit_callbacks):
    settings.HROMADA_SMS_BACKEND = "hromada.notifications.channels.ConsoleSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    _notify(case, capture=django_capture_on_commit_callbacks)
    assert set(Notification.objects.filter(application=case).values_list("state", flat=True)) == {State.NOT_SENT}


def test_production_defaults_never_console(monkeypatch):
    """Without EMAIL_HOST / HROMADA_SMS_GATEWAY_URL and DEBUG off, nothing is configured (and nothing pretends)."""
    import importlib

    import hromada.settings as prod
    for name in ("EMAIL_HOST", "EMAIL_BACKEND", "HROMADA_SMS_GATEWAY_URL", "HROMADA_SMS_BACKEND", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    fresh = importlib.reload(prod)
    try:
        assert fresh.EMAIL_BACKEND == "hromada.notifications.channels.UnconfiguredEmailBackend"
        assert fresh.HROMADA_SMS_BACKEND == ""
        monkeypatch.setenv("EMAIL_HOST", "smtp.example.gov.ua")
        monkeypatch.setenv("HROMADA_SMS_GATEWAY_URL", "https://sms.example/send")
        fresh = importlib.reload(prod)
        assert fresh.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and fresh.EMAIL_USE_TLS
        assert fresh.HROMADA_SMS_BACKEND == "hromada.notifications.channels.HttpJsonGateway"
    finally:
        monkeypatch.undo()
        importlib.reload(prod)


def test_on_a_worker_a_transient_failure_is_retried_later_with_backoff(case, sms_gateway, monkeypatch, settings):
    """With a broker the task does not loop: it asks Celery to run it again after the back-off."""
    settings.HROMADA_NOTIFY_RETRY_BASE_SECONDS = 30
    sms_gateway.control(mode="fail")
    (row,) = [r for r in services.notify_resident(application=case, kind=Kind.RESULT_READY) if r.channel == "sms"]
    asked = []

    class Retry(Exception):
        pass

    def retry(**kwargs):
        asked.append(kwargs)
        return Retry()

    task = tasks.deliver_notification
    monkeypatch.setattr(task, "retry", retry)
    for n in range(2):
        task.push_request(retries=n, is_eager=False)
        try:
            with pytest.raises(Retry):
                task.run(row.pk)
        finally:
            task.pop_request()
    assert asked == [{"countdown": 30, "max_retries": 3}, {"countdown": 60, "max_retries": 3}]
    row.refresh_from_db()
    assert row.state == State.QUEUED and row.attempts == 2 and len(sms_gateway.messages()) == 2
    task.push_request(retries=3, is_eager=False)
    try:
        assert task.run(row.pk) == State.FAILED
    finally:
        task.pop_request()


@pytest.mark.django_db(transaction=True)
def test_a_report_waits_while_the_send_records_its_message(demo, settings):
    """The window the early reports cannot cover alone: the send has looked for an early report and not yet
    committed. A report for that id waits until the send's transaction ends, so it then finds the message."""
    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's IMMEDIATE transactions already run one writer at a time, from BEGIN")
    import threading
    settings.HROMADA_SMS_REPORT_SECRET = REPORT_SECRET
    holding, release, answered = threading.Event(), threading.Event(), []

    def send_recording():
        try:
            with transaction.atomic():
                services.db.serialize_on(services.REPORT_LOCK, "gw-held")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def report():
        try:
            answered.append(services.record_delivery_report(secret=REPORT_SECRET, message_id="gw-held",
                                                            status="delivered"))
        finally:
            connections.close_all()

    sender = threading.Thread(target=send_recording)
    sender.start()
    assert holding.wait(10)
    reporter = threading.Thread(target=report)
    reporter.start()
    reporter.join(0.5)
    assert reporter.is_alive() and answered == []       # waiting on the send's lock
    release.set()
    sender.join(10)
    reporter.join(10)
    assert answered == [None]
