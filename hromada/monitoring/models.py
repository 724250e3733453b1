"""Monitoring: per-hromada monthly aggregates (what dashboards read), onboarding steps, workplaces.

Dashboards never scan applications: ``services.refresh_aggregates`` turns raw data into
``HromadaMonth`` rows (base figures) and ``DecisionDays`` rows (a histogram of days from first
submission to decision, for medians and percentiles), and indicators are computed from those.
"""
from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class HromadaMonth(models.Model):
    """Base figures of one hromada for one calendar month (Kyiv time).

    Flows (accepted, decided, …) count events inside the month; stocks (overdue, unissued, front office,
    specialists, workplaces) are the state at the month's end, or at refresh time for the current month.
    """
    # Indexed as the first column of unique_hromada_month: no index of its own (#24).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField(help_text="The first day of the month.")
    # flows
    accepted = models.PositiveIntegerField(default=0)          # first submitted to the back office in the month
    decided = models.PositiveIntegerField(default=0)           # decided in the month
    granted = models.PositiveIntegerField(default=0)           # of decided: granted
    returned = models.PositiveIntegerField(default=0)          # of decided: returned for correction at least once
    on_time = models.PositiveIntegerField(default=0)           # of decided: decided no later than the due date
    billing_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # stocks at the month's end
    overdue = models.PositiveIntegerField(default=0)           # undecided, past the due date
    unissued = models.PositiveIntegerField(default=0)          # decided, result not handed to the resident
    front_office_active = models.BooleanField(default=False)
    specialists = models.PositiveIntegerField(default=0)
    workplaces_equipped = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hromada", "month"], name="unique_hromada_month")]
        indexes = [models.Index(fields=["month", "hromada"])]


class DecisionDays(models.Model):
    """How many of a hromada's decisions in a month took ``days`` calendar days from first submission."""
    # Read by hromada through the unique (hromada, month, days) index, whose first column it is: no index of its own
    # (#24; migration 0002).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField()
    days = models.PositiveIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hromada", "month", "days"], name="unique_decision_days")]
        indexes = [models.Index(fields=["month", "hromada"])]


class MonthRefresh(models.Model):
    """When the aggregates of a month were last rebuilt (staleness check)."""
    month = models.DateField(unique=True)
    refreshed_at = models.DateTimeField()
    hromadas = models.PositiveIntegerField(default=0)


class OnboardingStepCode(models.TextChoices):
    COUNCIL_DECISION = "council_decision", _("Рішення ради про приєднання")
    STAFF_APPOINTED = "staff_appointed", _("Персонал призначено")
    WORKPLACES_EQUIPPED = "workplaces_equipped", _("Робочі місця облаштовано")
    STAFF_TRAINED = "staff_trained", _("Персонал навчено")
    FIRST_APPLICATION = "first_application", _("Прийнято першу заяву")
    LIVE = "live", _("Промислова експлуатація")


STEP_ORDER = [c.value for c in OnboardingStepCode]


class OnboardingStep(models.Model):
    """A step of a hromada joining the system, with its date and who recorded it."""
    # Indexed as the first column of unique_onboarding_step: no index of its own (#24).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("громада"), db_index=False)
    step = models.CharField(_("етап"), max_length=32, choices=OnboardingStepCode.choices)
    done_on = models.DateField(_("дата"))
    note = models.CharField(_("примітка"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name=_("хто зафіксував"))
    recorded_at = models.DateTimeField(_("зафіксовано"))

    class Meta:
        verbose_name = _("етап підключення")
        verbose_name_plural = _("етапи підключення")
        constraints = [models.UniqueConstraint(fields=["hromada", "step"], name="unique_onboarding_step")]


class WorkplaceStatus(models.TextChoices):
    PLANNED = "planned", _("Заплановано")
    EQUIPPED = "equipped", _("Облаштовано")
    DECOMMISSIONED = "decommissioned", _("Виведено з експлуатації")


class FundingSource(models.TextChoices):
    WORLD_BANK = "world_bank", _("Проєкт Світового банку")
    STATE_BUDGET = "state_budget", _("Державний бюджет")
    LOCAL_BUDGET = "local_budget", _("Місцевий бюджет")
    OTHER = "other", _("Інше")


class Workplace(models.Model):
    """A front-office workplace. Its inventory number is unique nationally: counted once."""
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="workplaces",
                               verbose_name=_("офіс"))
    inventory_number = models.CharField(_("інвентарний номер робочого місця"), max_length=64, unique=True)
    label = models.CharField(_("назва"), max_length=255, blank=True)
    status = models.CharField(_("стан"), max_length=16, choices=WorkplaceStatus.choices,
                              default=WorkplaceStatus.PLANNED)
    funding_source = models.CharField(_("джерело фінансування"), max_length=16, choices=FundingSource.choices)
    equipped_on = models.DateField(_("дата облаштування"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("робоче місце")
        verbose_name_plural = _("робочі місця")
        ordering = ["office_id", "inventory_number"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="equipped") | models.Q(equipped_on__isnull=False),
                                   name="equipped_workplace_has_date"),
        ]

    def __str__(self):
        return self.label or self.inventory_number


class EquipmentType(models.TextChoices):
    COMPUTER = "computer", _("Комп'ютер")
    LAPTOP = "laptop", _("Ноутбук")
    MONITOR = "monitor", _("Монітор")
    SCANNER = "scanner", _("Сканер")
    PRINTER = "printer", _("Принтер")
    MFD = "mfd", _("Багатофункціональний пристрій")
    UPS = "ups", _("Джерело безперебійного живлення")
    KEY_READER = "key_reader", _("Зчитувач ключів КЕП")
    OTHER = "other", _("Інше")


class EquipmentStatus(models.TextChoices):
    DELIVERED = "delivered", _("Поставлено")
    IN_USE = "in_use", _("Використовується")
    BROKEN = "broken", _("Несправне")
    WRITTEN_OFF = "written_off", _("Списано")


class Equipment(models.Model):
    """One item at a workplace. Inventory number unique nationally, serial unique per type."""
    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="equipment",
                                  verbose_name=_("робоче місце"))
    type = models.CharField(_("тип"), max_length=16, choices=EquipmentType.choices)
    model_name = models.CharField(_("модель"), max_length=128, blank=True)
    serial_number = models.CharField(_("серійний номер"), max_length=64)
    inventory_number = models.CharField(_("інвентарний номер"), max_length=64, unique=True)
    funding_source = models.CharField(_("джерело фінансування"), max_length=16, choices=FundingSource.choices)
    delivered_on = models.DateField(_("дата поставки"))
    status = models.CharField(_("стан"), max_length=16, choices=EquipmentStatus.choices,
                              default=EquipmentStatus.DELIVERED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("обладнання")
        verbose_name_plural = _("обладнання")
        ordering = ["workplace_id", "type", "inventory_number"]
        constraints = [models.UniqueConstraint(fields=["type", "serial_number"], name="unique_equipment_serial")]


class WorkplacePlan(models.Model):
    """How many workplaces are to be equipped: per oblast, or nationally (oblast empty)."""
    oblast = models.OneToOneField("territory.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("область"))
    planned = models.PositiveIntegerField(_("заплановано робочих місць"))
    note = models.CharField(_("підстава"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("план облаштування робочих місць")
        verbose_name_plural = _("плани облаштування робочих місць")
        # One national row: NULLs are distinct in a plain unique index, so index COALESCE(oblast, 0).
        constraints = [models.UniqueConstraint(Coalesce("oblast", Value(0)), name="one_workplace_plan_per_area")]
