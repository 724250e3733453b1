"""Back-office records: the decision on a case, return-for-correction requests (residents are told through
hromada.notifications)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Призначити")
    REFUSED = "refused", _("Відмовити")


class Decision(models.Model):
    """The decision on one application (granted with amount and period, or refused with a legal reason)."""
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("рішення"), max_length=8, choices=Outcome.choices)
    amount = models.DecimalField(_("сума, грн"), max_digits=12, decimal_places=2, null=True, blank=True)
    period_from = models.DateField(_("період з"), null=True, blank=True)
    period_to = models.DateField(_("період по"), null=True, blank=True)
    # What the calculator returned (lines, legal basis, inputs) exactly as shown when deciding.
    calculation = models.JSONField(default=dict, blank=True)
    calculator = models.CharField(_("калькулятор"), max_length=64, blank=True)
    data_version = models.CharField(_("версія даних"), max_length=32, blank=True)
    reason_code = models.CharField(_("підстава відмови"), max_length=64, blank=True)
    comment = models.TextField(_("коментар"), blank=True)
    # Joined from the decision, never searched by: no index (#24, bytes; migration 0003), as the case's issued_by.
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    decided_at = models.DateTimeField(_("дата рішення"))

    class Meta:
        verbose_name = _("рішення")
        verbose_name_plural = _("рішення")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(outcome="granted", amount__gte=0, period_from__isnull=False,
                                    period_to__gte=models.F("period_from"))
                           | models.Q(outcome="refused") & ~models.Q(reason_code="")),
                name="decision_complete"),
        ]

    def __str__(self):
        return f"{self.application_id}: {self.get_outcome_display()}"


class ReturnRequest(models.Model):
    """The back office sends a case back to its front office: why and what to fix."""
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="return_requests")
    reason = models.TextField(_("причина"))
    # Document codes of the checklist or free-text items to fix.
    items = models.JSONField(_("що виправити"), default=list)
    # Joined from the return to the user, never searched by: no index (#24, bytes; migration 0005), as decided_by.
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    db_index=False)
    returned_at = models.DateTimeField(_("повернуто"))
    resolved_at = models.DateTimeField(_("виправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("повернення на доопрацювання")
        verbose_name_plural = _("повернення на доопрацювання")
        ordering = ["-returned_at", "-id"]
