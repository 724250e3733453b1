from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from hromada.applications.models import Application, Status
from hromada.applications.services.documents import attach_document
from hromada.applications.services.intake import create_application, submit_application
from hromada.applications.tests.factories import fill_required, make_person, pdf_bytes, upload
from hromada.catalog.models import Timing
from hromada.celery import app as celery_app
from hromada.core.errors import HromadaError
from hromada.ops import services, tasks
from hromada.ops.models import FailedTask, WorkerProbe


@pytest.fixture
def worker_like(monkeypatch):
    """Eager tasks that do not propagate errors: retries run one after another as a worker would run them."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def submitted_case(user):
    app = create_application(actor=user, service_code="birth_assistance", applicant_id=make_person(user.office.hromada).pk)
    fill_required(app, user)
    submit_application(actor=user, application_id=app.pk)
    return Application.objects.get(pk=app.pk)


def test_reliable_task_defaults():
    task = tasks.flag_overdue
    assert isinstance(task, tasks.ReliableTask)
    assert task.acks_late and task.reject_on_worker_lost
    assert task.autoretry_for == (Exception,) and task.dont_autoretry_for == (HromadaError,)
    assert task.max_retries == 5 and task.retry_backoff


def test_task_failing_for_good_is_recorded(db, worker_like):
    result = tasks.always_fails.apply(args=["disk full"])
    assert result.failed() and "disk full" in str(result.result)
    failed = FailedTask.objects.get(task_name="hromada.ops.tasks.always_fails")
    assert "deliberate failure: disk full" in failed.exception
    assert failed.retries == 1  # retried once (max_retries=1), then recorded
    assert "RuntimeError" in failed.traceback and failed.resolved_at is None


def test_embedded_mode_raises_the_real_error_without_retry_loop(db):
    with pytest.raises(RuntimeError, match="deliberate failure: inline"):
        tasks.always_fails.apply(args=["inline"])
    # Not a celery Retry, not retried inside the request; the caller's error handling logs it.


def test_failed_task_record_masks_personal_data(db):
    failed = services.record_failed_task(task_id="t-1", task_name="x", args=("3012345678",), kwargs={"e": "a@b.ua"},
                                         exception=ValueError("for 3012345678"))
    assert "3012345678" not in failed.args + failed.exception and "a@b.ua" not in failed.kwargs
    # Idempotent per task id: a redelivered message failing again updates the same row.
    services.record_failed_task(task_id="t-1", task_name="x", args=(), kwargs={}, exception="again", retries=2)
    assert FailedTask.objects.filter(task_id="t-1").count() == 1
    assert FailedTask.objects.get(task_id="t-1").retries == 2


def test_worker_probe_is_idempotent(db):
    services.request_worker_probe(token="probe-1", seconds=0)
    tasks.worker_probe.apply(args=["probe-1"])
    probe = WorkerProbe.objects.get(token="probe-1")
    assert probe.completed_at is not None and probe.attempts == 1
    # Redelivered after completion (a worker killed before its ack): counted, not redone.
    tasks.worker_probe.apply(args=["probe-1"])
    again = WorkerProbe.objects.get(token="probe-1")
    assert again.attempts == 2 and again.completed_at == probe.completed_at


def test_worker_probe_without_request_creates_its_row(db):
    tasks.worker_probe.apply(args=["probe-2", 0])
    assert WorkerProbe.objects.get(token="probe-2").completed_at is not None


def test_flag_overdue_counts_only_open_cases_past_due(db, front, front2):
    base = tasks.flag_overdue.apply().get()
    a = submitted_case(front)
    b = submitted_case(front2)
    yesterday = timezone.localdate() - timedelta(days=1)
    Application.objects.filter(pk__in=[a.pk, b.pk]).update(due_date=yesterday)
    assert tasks.flag_overdue.apply().get() == base + 2
    Application.objects.filter(pk=b.pk).update(status=Status.DECIDED_GRANTED)
    assert tasks.flag_overdue.apply().get() == base + 1


def test_reminders_go_to_the_front_office_of_the_case(db, front, front2):
    mine = submitted_case(front)
    other = submitted_case(front2)
    days = (mine.documents_deadline - timezone.localdate()).days
    # Only cases whose deadline is exactly `days` away are reminded about: move the other one's.
    Application.objects.filter(pk=other.pk).update(documents_deadline=mine.documents_deadline + timedelta(days=1))
    mail.outbox.clear()
    assert services.send_missing_document_reminders(days_ahead=days) >= 1
    sent = [m for m in mail.outbox if mine.number in m.body]
    assert len(sent) == 1
    assert front.email in sent[0].to and front2.email not in sent[0].to
    assert other.number not in sent[0].body
    # birth_assistance: РНОКПП, residence, bank details may follow; none were given.
    assert "РНОКПП" in sent[0].body


def test_no_reminder_when_documents_arrived(db, front):
    mine = submitted_case(front)
    for i, req in enumerate(mine.service.documents.filter(timing=Timing.MAY_FOLLOW)):
        attach_document(actor=front, application_id=mine.pk, document_code=req.code,
                        uploaded_file=upload(pdf_bytes(seed=5000 + i + 100 * mine.pk), f"{req.code}.pdf"))
    days = (mine.documents_deadline - timezone.localdate()).days
    mail.outbox.clear()
    services.send_missing_document_reminders(days_ahead=days)
    assert not [m for m in mail.outbox if mine.number in m.body]


def test_nightly_backup_calls_the_backup_command_and_keeps_the_newest(monkeypatch, settings, tmp_path):
    settings.HROMADA_BACKUP_DIR = tmp_path / "backups"
    settings.HROMADA_BACKUP_KEEP = 2
    called = []

    def fake_backup(name, output_dir):  # the audit app's command is tested there; here: where and how often
        called.append((name, output_dir))
        (Path(output_dir) / f"hromada-backup-2026112{len(called)}-020000-000000").mkdir()

    monkeypatch.setattr(services, "call_command", fake_backup)
    for _ in range(3):
        tasks.nightly_backup.apply().get()
    assert called == [("backup", str(tmp_path / "backups"))] * 3
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        "hromada-backup-20261122-020000-000000", "hromada-backup-20261123-020000-000000"]


def test_nightly_backup_fails_visibly_without_the_command(db, monkeypatch, worker_like):
    monkeypatch.setattr(services, "get_commands", dict)
    result = tasks.nightly_backup.apply()
    assert result.failed() and "backup management command" in str(result.result)
    assert FailedTask.objects.filter(task_name="hromada.ops.tasks.nightly_backup").exists()


def test_work_the_broker_never_got_is_queued_again_once_old_enough(db, front, monkeypatch, settings):
    """Broker down at commit: the intake is saved all the same (robust on_commit) and its receipt is missing; the
    sweep queues what is older than the minimum age — receipts, notifications never tried, pending register
    checks, billing runs never started — and leaves young, handled or already tried work alone."""
    from kombu.exceptions import OperationalError

    from hromada.applications import tasks as application_tasks
    from hromada.billing import tasks as billing_tasks
    from hromada.billing.models import BillingPeriod, BillingRun, RunStatus
    from hromada.notifications import tasks as notification_tasks
    from hromada.notifications.models import Channel, Kind, Notification, State
    from hromada.registers import tasks as register_tasks
    from hromada.registers.models import Check, Register, Result, Verification

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to broker. Connection refused.")

    monkeypatch.setattr(application_tasks.render_receipt, "delay", broker_down)
    stranded = submitted_case(front)
    assert not stranded.receipts.exists()

    queued: dict[str, list] = {"receipt": [], "notification": [], "check": [], "run": []}
    monkeypatch.setattr(application_tasks.render_receipt, "delay", lambda pk: queued["receipt"].append(pk))
    monkeypatch.setattr(notification_tasks.deliver_notification, "delay", lambda pk: queued["notification"].append(pk))
    monkeypatch.setattr(register_tasks.run_verification, "delay", lambda pk: queued["check"].append(pk))
    monkeypatch.setattr(billing_tasks.run_billing_period_task, "delay", lambda *a: queued["run"].append(a[1]))

    old = timezone.now() - timedelta(hours=1)
    notes = [Notification.objects.create(application=stranded, channel=Channel.SMS, kind=kind, state=state,
                                         attempts=attempts)
             for kind, state, attempts in ((Kind.RESULT_READY, State.QUEUED, 0), (Kind.RETURNED, State.QUEUED, 1),
                                           (Kind.DOCUMENTS_DUE, State.SENT, 1))]
    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(created_at=old)
    young_note = Notification.objects.create(application=stranded, channel=Channel.EMAIL, kind=Kind.RESULT_READY)
    checks = [Verification.objects.create(application=stranded, register=Register.CIVIL, check_code=code,
                                          subject=stranded.applicant_person, result=result, requested_at=at)
              for code, result, at in ((Check.BIRTH_RECORD, Result.PENDING, old),
                                       (Check.INCOMES, Result.PENDING, timezone.now()),
                                       (Check.IDENTITY_DOCUMENT, Result.MATCH, old))]
    period = BillingPeriod.objects.create(year=2026, month=1)
    runs = [BillingRun.objects.create(period=period, run_id=uuid, status=status) for uuid, status in
            (("00000000-0000-0000-0000-000000000001", RunStatus.PENDING),
             ("00000000-0000-0000-0000-000000000002", RunStatus.DONE))]
    BillingRun.objects.filter(pk__in=[r.pk for r in runs]).update(created_at=old)
    young_run = BillingRun.objects.create(period=period, run_id="00000000-0000-0000-0000-000000000003")

    settings.HROMADA_STRANDED_SWEEP_MIN_AGE_SECONDS = 600
    counts = tasks.queue_stranded_work.apply().get()
    # The case was submitted a moment ago (its receipt may still be in a queue), the e-mail and one check are
    # young, one SMS waits for its own retry, the rest is handled.
    assert queued == {"receipt": [], "notification": [notes[0].pk], "check": [checks[0].pk],
                      "run": ["00000000-0000-0000-0000-000000000001"]}
    assert counts == {"receipts": 0, "notifications": 1, "register_checks": 1, "billing_runs": 1}

    for calls in queued.values():
        calls.clear()
    settings.HROMADA_STRANDED_SWEEP_MIN_AGE_SECONDS = 0
    tasks.queue_stranded_work.apply().get()
    assert queued["receipt"] == [stranded.pk]
    assert queued["notification"] == [notes[0].pk, young_note.pk] and queued["check"] == [checks[0].pk, checks[1].pk]
    # A run asked a moment ago waits in the billing queue behind others: only one 15 minutes old is stranded.
    assert str(young_run.run_id) not in queued["run"]
