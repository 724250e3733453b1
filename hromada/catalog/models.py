"""Service types that front offices accept, their document checklists, and the work calendar.

All figures (terms, deadlines for late documents) are data loaded from catalog/data/*.json.
"""
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TermKind(models.TextChoices):
    CALENDAR = "calendar", _("календарних днів")
    WORKING = "working", _("робочих днів")


class ServiceCategory(models.TextChoices):
    ASSISTANCE = "assistance", _("Соціальна допомога")
    SUBSIDY = "subsidy", _("Субсидії та пільги")
    STATUS = "status", _("Статуси та довідки")
    CHILD_RIGHTS = "child_rights", _("Захист прав дітей")


class ServiceType(models.Model):
    code = models.SlugField(_("код"), max_length=64, unique=True)
    name_uk = models.CharField(_("назва (укр.)"), max_length=255)
    name_en = models.CharField(_("назва (англ.)"), max_length=255)
    category = models.CharField(_("група"), max_length=20, choices=ServiceCategory.choices)
    legal_basis = models.TextField(_("правова підстава"))
    term_days = models.PositiveSmallIntegerField(_("строк прийняття рішення, днів"))
    term_kind = models.CharField(_("вид строку"), max_length=10, choices=TermKind.choices)
    # Documents that "may follow" must arrive within this many months of registration.
    late_documents_months = models.PositiveSmallIntegerField(_("строк донесення документів, місяців"), default=1)
    calculator = models.CharField(_("калькулятор"), max_length=64, blank=True)
    description = models.TextField(_("опис"), blank=True)
    active_from = models.DateField(_("діє з"), null=True, blank=True)
    active_to = models.DateField(_("діє по"), null=True, blank=True)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("вид послуги")
        verbose_name_plural = _("види послуг")
        ordering = ["ordering", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") else self.name_uk

    def is_active_on(self, day) -> bool:
        return (self.active_from is None or self.active_from <= day) and (self.active_to is None or day <= self.active_to)


class Timing(models.TextChoices):
    BEFORE_SUBMIT = "before_submit", _("обов'язковий, подається до відправлення")
    MAY_FOLLOW = "may_follow", _("обов'язковий, може бути донесений пізніше")
    CONDITIONAL = "conditional", _("потрібен лише за умови")


class DocumentRequirement(models.Model):
    service = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="documents")
    code = models.SlugField(_("код документа"), max_length=64)
    title_uk = models.CharField(_("назва (укр.)"), max_length=255)
    title_en = models.CharField(_("назва (англ.)"), max_length=255)
    hint = models.TextField(_("підказка"), blank=True)
    timing = models.CharField(_("коли подається"), max_length=16, choices=Timing.choices)
    condition = models.CharField(_("умова"), max_length=255, blank=True)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("документ переліку")
        verbose_name_plural = _("документи переліку")
        ordering = ["service", "ordering", "code"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="unique_document_per_service")]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "uk").startswith("en") else self.title_uk

    @property
    def required_before_submit(self) -> bool:
        return self.timing == Timing.BEFORE_SUBMIT


class Holiday(models.Model):
    """A public holiday. ``is_day_off`` is False while the law suspends days off (martial law)."""
    date = models.DateField(unique=True)
    name = models.CharField(max_length=255)
    is_day_off = models.BooleanField(default=True)
    basis = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("святковий день")
        verbose_name_plural = _("святкові дні")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.name}"
