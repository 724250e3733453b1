"""Service types that front offices accept, their document checklists, and the work calendar.

All figures (terms, deadlines for late documents) are data loaded from catalog/data/*.json.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hromada.core.text import localized
from hromada.offices.models import Authority


class TermKind(models.TextChoices):
    CALENDAR = "calendar", _("календарних днів")
    WORKING = "working", _("робочих днів")


class ServiceCategory(models.TextChoices):
    ASSISTANCE = "assistance", _("Соціальна допомога")
    SUBSIDY = "subsidy", _("Субсидії та пільги")
    STATUS = "status", _("Статуси та довідки")
    CHILD_RIGHTS = "child_rights", _("Захист прав дітей")
    SOCIAL_SERVICES = "social_services", _("Соціальні послуги")


class ServiceType(models.Model):
    id = models.AutoField(primary_key=True)   # four bytes in every case that names it (#24; see KeyToInteger)
    code = models.SlugField(_("код"), max_length=64, unique=True)
    name_uk = models.CharField(_("назва (укр.)"), max_length=255)
    name_en = models.CharField(_("назва (англ.)"), max_length=255)
    category = models.CharField(_("група"), max_length=20, choices=ServiceCategory.choices)
    # Who decides (data): the case goes to that authority's office serving the hromada (offices.selectors).
    deciding_authority = models.CharField(_("орган, що приймає рішення"), max_length=32,
                                          choices=Authority.choices, default=Authority.SOCIAL_PROTECTION)
    legal_basis = models.TextField(_("правова підстава"))
    term_days = models.PositiveSmallIntegerField(_("строк прийняття рішення, днів"))
    term_kind = models.CharField(_("вид строку"), max_length=10, choices=TermKind.choices)
    # Documents that "may follow" must arrive within this many months of registration.
    late_documents_months = models.PositiveSmallIntegerField(_("строк донесення документів, місяців"), default=1)
    calculator = models.CharField(_("калькулятор"), max_length=64, blank=True)
    # A service not calculated here says who computes it ("pension_fund") or that it has no amount
    # ("not_applicable"), and why (calculation_note, with the act): every service is one or the other.
    calculated_by = models.CharField(_("хто розраховує"), max_length=32, blank=True,
                                     choices=[("pension_fund", _("розраховує ПФУ")),
                                              ("not_applicable", _("не підлягає розрахунку"))])
    calculation_note = models.TextField(_("підстава розрахунку"), blank=True)
    description = models.TextField(_("опис"), blank=True)
    description_en = models.TextField(_("опис (англ.)"), blank=True)
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
        return localized(self.name_uk, self.name_en)

    @property
    def about(self) -> str:
        """The description in the interface's language."""
        return localized(self.description, self.description_en)

    @property
    def term_text(self) -> str:
        """The decision term with the noun in its Ukrainian plural form: "1 робочий день", "3 робочі дні"."""
        n = self.term_days
        if self.term_kind == TermKind.WORKING:
            return ngettext("%(n)s робочий день", "%(n)s робочих днів", n) % {"n": n}
        return ngettext("%(n)s календарний день", "%(n)s календарних днів", n) % {"n": n}

    def is_active_on(self, day) -> bool:
        return (self.active_from is None or self.active_from <= day) and (self.active_to is None or day <= self.active_to)


class Timing(models.TextChoices):
    BEFORE_SUBMIT = "before_submit", _("обов'язковий, подається до відправлення")
    MAY_FOLLOW = "may_follow", _("обов'язковий, може бути донесений пізніше")
    CONDITIONAL = "conditional", _("потрібен лише за умови")


class DocumentRequirement(models.Model):
    # Indexed as the first column of unique_document_per_service: no index of its own (#24).
    service = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="documents", db_index=False)
    code = models.SlugField(_("код документа"), max_length=64)
    title_uk = models.CharField(_("назва (укр.)"), max_length=255)
    title_en = models.CharField(_("назва (англ.)"), max_length=255)
    hint = models.TextField(_("підказка"), blank=True)
    hint_en = models.TextField(_("підказка (англ.)"), blank=True)
    timing = models.CharField(_("коли подається"), max_length=16, choices=Timing.choices)
    condition = models.CharField(_("умова"), max_length=255, blank=True)
    condition_en = models.CharField(_("умова (англ.)"), max_length=255, blank=True)
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
        return localized(self.title_uk, self.title_en)

    @property
    def hint_text(self) -> str:
        return localized(self.hint, self.hint_en)

    @property
    def condition_text(self) -> str:
        return localized(self.condition, self.condition_en)

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


class FigureUnit(models.TextChoices):
    UAH = "uah", _("грн")
    PERCENT = "percent", _("%")
    MONTHS = "months", _("місяців")
    MONTH = "month", _("місяць року")
    SQUARE_METRES = "m2", _("м²")
    COEFFICIENT = "coefficient", _("коефіцієнт")


class LegalFigure(models.Model):
    """One figure set by law (an amount, a percentage, a norm, a term) for one period, with the act that set it.

    ``value`` is null when the act is known but the figure is not (the calculator then refuses); ``confirmed`` is
    False when the value was not found in a public text that quotes the act (then it is shown as unconfirmed and
    never goes into a decision). Rows come from catalog/data/legal_figures.json (sync_catalog) and from
    ``set_legal_figure`` (a new прожитковий мінімум is a data change, audited).
    """
    key = models.CharField(_("показник"), max_length=100)
    label_uk = models.CharField(_("назва"), max_length=255)
    value = models.DecimalField(_("значення"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("одиниця"), max_length=12, choices=FigureUnit.choices)
    valid_from = models.DateField(_("діє з"))
    valid_to = models.DateField(_("діє по"), null=True, blank=True)
    act = models.TextField(_("акт"))
    article = models.CharField(_("стаття / пункт"), max_length=120)
    act_date = models.DateField(_("дата акта"))
    confirmed = models.BooleanField(_("підтверджено"), default=False)
    checked_against = models.TextField(_("звірено з"), blank=True)
    note = models.TextField(_("примітка"), blank=True)

    class Meta:
        verbose_name = _("нормативний показник")
        verbose_name_plural = _("нормативні показники")
        ordering = ["key", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "valid_from"], name="unique_legal_figure_period"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="legal_figure_period_order"),
        ]

    def __str__(self):
        return f"{self.key} з {self.valid_from:%d.%m.%Y}"

    @property
    def source(self) -> str:
        """The act and its article, as a decision cites it."""
        return f"{self.act}, {self.article}"
