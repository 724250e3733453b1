"""Operations records: tasks that failed for good, worker probes."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FailedTask(models.Model):
    """A Celery task that exhausted its retries (written by the task_failure signal through services).

    Arguments are stored as ids only by convention (tasks take ids, never personal data) and masked anyway.
    """

    task_id = models.CharField(_("ідентифікатор задачі"), max_length=64, unique=True)
    task_name = models.CharField(_("задача"), max_length=200, db_index=True)
    args = models.TextField(_("аргументи"), blank=True)
    kwargs = models.TextField(_("іменовані аргументи"), blank=True)
    exception = models.TextField(_("помилка"))
    traceback = models.TextField(_("стек викликів"), blank=True)
    retries = models.PositiveIntegerField(_("спроб повтору"), default=0)
    request_id = models.CharField(_("ідентифікатор запиту"), max_length=64, blank=True)
    failed_at = models.DateTimeField(_("остання невдача"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("розглянуто"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("розглянув"))

    class Meta:
        ordering = ["-failed_at"]
        verbose_name = _("невдала задача")
        verbose_name_plural = _("невдалі задачі")

    def __str__(self):
        return f"{self.task_name} {self.task_id}"


class WorkerProbe(models.Model):
    """One run of the worker probe task (check_stack --worker, the production stack test).

    Idempotent by token: a redelivered probe (worker killed mid-task) finishes the same row.
    """

    token = models.CharField(max_length=64, unique=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("перевірка обробника задач")
        verbose_name_plural = _("перевірки обробника задач")
