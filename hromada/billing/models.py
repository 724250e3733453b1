"""Payments to hromadas: tariffs, monthly billing periods and runs, billed items and lines, budget lines.

Money is ``Decimal`` with two places (kopiyky), never float. Lines and items of a closed period are
immutable: the services refuse to touch them and a database trigger (migration 0002) refuses any
INSERT/UPDATE/DELETE of them, so a closed month cannot be rewritten even by accident.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class Tariff(models.Model):
    """Amount paid per accepted application, by service type (or the default when ``service`` is empty).

    History is kept: a new tariff closes the previous one the day before it starts; rows are never deleted.
    """
    service = models.ForeignKey("catalog.ServiceType", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("послуга (порожньо — типовий тариф)"))
    amount = models.DecimalField(_("сума за одну заяву, грн"), **MONEY)
    effective_from = models.DateField(_("діє з"))
    effective_to = models.DateField(_("діє по"), null=True, blank=True)
    basis = models.CharField(_("підстава"), max_length=255)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("тариф")
        verbose_name_plural = _("тарифи")
        ordering = ["service_id", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="tariff_amount_positive"),
            models.CheckConstraint(condition=models.Q(effective_to__isnull=True)
                                   | models.Q(effective_to__gte=models.F("effective_from")),
                                   name="tariff_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.amount} ({self.effective_from}…{self.effective_to or ''})"

    def in_force_on(self, day) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Відкритий")
    CLOSED = "closed", _("Закритий")


class BillingPeriod(models.Model):
    """A calendar month of the whole country."""
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("розрахунковий період")
        verbose_name_plural = _("розрахункові періоди")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="unique_billing_period"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="billing_month_valid"),
        ]

    def __str__(self):
        return self.key

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class RunStatus(models.TextChoices):
    PENDING = "pending", _("У черзі")
    RUNNING = "running", _("Виконується")
    DONE = "done", _("Завершено")
    FAILED = "failed", _("Помилка")


class BillingRun(models.Model):
    """One computation of a period (the Celery task reports its progress here)."""
    period = models.ForeignKey(BillingPeriod, on_delete=models.PROTECT, related_name="runs")
    run_id = models.UUIDField(unique=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    # What the run found (counts only, no personal data).
    events = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)
    adjustments = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("розрахунок періоду")
        verbose_name_plural = _("розрахунки періодів")
        ordering = ["-created_at", "-id"]

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.PENDING, RunStatus.RUNNING)


class ItemKind(models.TextChoices):
    REGULAR = "regular", _("Заява періоду")
    ADJUSTMENT = "adjustment", _("Коригування попереднього періоду")


class BillingItem(models.Model):
    """Evidence: one application billed (or one signed correction) in a period."""
    # Items are written by the run's INSERT … SELECT from the applications themselves, hundreds of thousands a
    # month: database-level foreign keys to those rows would add one deferred check per row and key at COMMIT
    # (seconds per run) to prove what the statement already guarantees. Deletion stays protected (on_delete).
    # Items are read by period (the unique constraint's index) and by application (the composite index); a
    # single-column index per key would only slow every run's insert (a quarter of its time at a million).
    # The period keys too: the database checks them once per statement, with the closed-period guard (migration
    # 0007), rather than once per row at COMMIT (0.4 s of a month's first run at a million).
    period = models.ForeignKey(BillingPeriod, on_delete=models.PROTECT, related_name="items", db_index=False,
                               db_constraint=False)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+",
                                    db_constraint=False, db_index=False)
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                                db_index=False)
    service = models.ForeignKey("catalog.ServiceType", on_delete=models.PROTECT, related_name="+",
                                db_constraint=False, db_index=False)
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, null=True, related_name="+", db_constraint=False,
                               db_index=False)
    event_date = models.DateField()            # Kyiv date of the first submission
    count = models.SmallIntegerField()         # +1 regular; ±1 (or 0 for a pure amount fix) adjustment
    amount = models.DecimalField(**MONEY)      # signed for adjustments
    original_period = models.ForeignKey(BillingPeriod, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", db_index=False, db_constraint=False)
    reason = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("оплачувана заява")
        verbose_name_plural = _("оплачувані заяви")
        ordering = ["period", "hromada", "service", "application"]
        indexes = [models.Index(fields=["application", "period"])]
        constraints = [models.UniqueConstraint(fields=["period", "application", "kind"], name="unique_item_per_period")]


class BillingLine(models.Model):
    """Aggregate of a period's items per hromada, service, tariff and kind (what acts and registers show)."""
    # Lines are summed from the items by one statement of the run: their keys are the items' own, so the database
    # does not check each again per row at COMMIT (four checks a line, 0.3 s a run at a million); the period is
    # checked once per statement by the guard (migration 0007), deletion stays protected (on_delete).
    # Indexed as the first column of the (period, …) index: no index of its own (#24).
    period = models.ForeignKey(BillingPeriod, on_delete=models.PROTECT, related_name="lines", db_constraint=False,
                               db_index=False)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    service = models.ForeignKey("catalog.ServiceType", on_delete=models.PROTECT, related_name="+",
                                db_constraint=False)
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, null=True, related_name="+", db_constraint=False)
    unit_amount = models.DecimalField(**MONEY, null=True)
    count = models.IntegerField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("рядок розрахунку")
        verbose_name_plural = _("рядки розрахунку")
        ordering = ["period", "hromada", "service", "kind", "unit_amount"]
        indexes = [models.Index(fields=["period", "hromada"])]


class BillingExclusion(models.Model):
    """An application the ministry explicitly excluded from payment (e.g. a duplicate found on audit)."""
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("підстава"), max_length=255)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("виключення з оплати")
        verbose_name_plural = _("виключення з оплати")


class BudgetLine(models.Model):
    """The state budget allocation for payments to hromadas in one year."""
    year = models.PositiveSmallIntegerField(unique=True)
    allocated = models.DecimalField(_("передбачено, грн"), **MONEY)
    basis = models.CharField(_("підстава"), max_length=255)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("бюджетна програма")
        verbose_name_plural = _("бюджетні програми")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=models.Q(allocated__gte=Decimal("0")),
                                              name="budget_allocated_non_negative")]
