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
