"""Checks of a case against the state registers, the log of every exchange over Трембіта, the circuit breakers,
and the proactive offers made from birth registrations."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Register(models.TextChoices):
    CIVIL = "civil", _("ДРАЦС (акти цивільного стану)")
    TAX = "tax", _("ДПС (доходи)")
    PENSION = "pension", _("ПФУ (пенсії та допомоги)")
    IDP = "idp", _("Реєстр ВПО")
    IDENTITY = "identity", _("ДМС (документи, що посвідчують особу)")


class Check(models.TextChoices):
    BIRTH_RECORD = "birth_record", _("Актовий запис про народження")
    DEATH_RECORD = "death_record", _("Актовий запис про смерть")
    INCOMES = "incomes", _("Доходи за останні квартали")
    PENSION_STATUS = "pension_status", _("Пенсія та допомоги в інших громадах")
    IDP_CERTIFICATE = "idp_certificate", _("Довідка ВПО")
    IDENTITY_DOCUMENT = "identity_document", _("Документ, що посвідчує особу")


class Result(models.TextChoices):
    MATCH = "match", _("Збігається")
    MISMATCH = "mismatch", _("Розбіжність")
    NOT_FOUND = "not_found", _("Не знайдено в реєстрі")
    UNAVAILABLE = "unavailable", _("Реєстр недоступний — не перевірено")
    PENDING = "pending", _("Не перевірено (в черзі)")


class Verification(models.Model):
    """The latest answer of one register to one check of one person of a case (re-running updates it; every
    exchange stays in ExchangeLog)."""
    # Indexed as the first column of unique_register_check: no index of its own (#24).
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                     related_name="register_checks", db_index=False)
    register = models.CharField(_("реєстр"), max_length=16, choices=Register.choices)
    check_code = models.CharField(_("перевірка"), max_length=32, choices=Check.choices)
    subject = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+", null=True)
    result = models.CharField(_("результат"), max_length=16, choices=Result.choices, default=Result.PENDING)
    field = models.CharField(_("поле з розбіжністю"), max_length=32, blank=True)
    # What the register said, as far as the case needs it (names compared, incomes, benefits elsewhere).
    details = models.JSONField(default=dict, blank=True)
    requested_at = models.DateTimeField(_("запитано"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    checked_at = models.DateTimeField(_("перевірено"), null=True, blank=True)
    request_id = models.CharField(_("ідентифікатор запиту (xrd:id)"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    via_simulator = models.BooleanField(_("тестовий реєстр"), default=False)
    override_reason = models.TextField(_("підстава прийняти попри розбіжність"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                      blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("перевірка в реєстрі")
        verbose_name_plural = _("перевірки в реєстрах")
        ordering = ["application", "register", "check_code", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "register", "check_code", "subject"],
                                               name="unique_register_check")]


class ExchangeLog(models.Model):
    """One request/response pair over Трембіта, on its case: for the back office and for an audit."""
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, null=True,
                                    related_name="register_exchanges")
    verification = models.ForeignKey(Verification, on_delete=models.SET_NULL, null=True, related_name="exchanges")
    register = models.CharField(max_length=16, choices=Register.choices)
    service = models.CharField(max_length=64)
    request_id = models.CharField(max_length=64, db_index=True)
    user_id = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=255)
    sent_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # ok | fault | http_error | timeout | connection_error | bad_response | circuit_open
    outcome = models.CharField(max_length=20)
    http_status = models.PositiveSmallIntegerField(null=True)
    response_sha256 = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    via_simulator = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("обмін із реєстром")
        verbose_name_plural = _("журнал обміну з реєстрами")
        ordering = ["sent_at", "id"]


class CircuitState(models.Model):
    """The breaker of one register, shared by every process (web, workers) through the database."""
    register = models.CharField(max_length=16, choices=Register.choices, unique=True)
    state = models.CharField(max_length=10, default="closed")   # closed | open | half_open
    failures = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    open_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class OfferStatus(models.TextChoices):
    NEW = "new", _("Нова")
    CONVERTED = "converted", _("Заяву створено")
    DISMISSED = "dismissed", _("Відхилено")


class ProactiveOffer(models.Model):
    """A birth registered to a resident of the hromada: the front office offers the assistance at birth."""
    reference = models.CharField(_("номер пропозиції"), max_length=32, unique=True)
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    # The register's own key of the registration: the same birth never makes two offers.
    source_key = models.CharField(max_length=64, unique=True)
    sequence = models.BigIntegerField()
    registered_at = models.DateTimeField(_("зареєстровано народження"))
    child_last_name = models.CharField(max_length=100)
    child_first_name = models.CharField(max_length=100)
    child_patronymic = models.CharField(max_length=100, blank=True)
    child_birth_date = models.DateField(_("дата народження дитини"))
    child_sex = models.CharField(max_length=1)
    child_rnokpp = models.CharField(max_length=10, blank=True)
    certificate_series = models.CharField(max_length=16)
    certificate_number = models.CharField(max_length=16)
    mother_rnokpp = models.CharField(max_length=10, blank=True)
    mother_name = models.CharField(max_length=320, blank=True)
    mother = models.ForeignKey("persons.Person", on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=12, choices=OfferStatus.choices, default=OfferStatus.NEW, db_index=True)
    application = models.OneToOneField("applications.Application", on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="proactive_offer")
    converted_at = models.DateTimeField(null=True, blank=True)
    via_simulator = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("проактивна пропозиція")
        verbose_name_plural = _("проактивні пропозиції")
        ordering = ["-registered_at", "-id"]

    @property
    def child_name(self) -> str:
        return " ".join(p for p in (self.child_last_name, self.child_first_name, self.child_patronymic) if p)


class BirthFeedCursor(models.Model):
    """How far the birth feed of a hromada has been read."""
    hromada = models.OneToOneField("territory.Unit", on_delete=models.CASCADE, related_name="+")
    last_sequence = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True)


class IncomeCorrection(models.Model):
    """The back office corrected the family's monthly income taken from the tax register, and said why."""
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="income_corrections")
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2)
    register_value = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    reason = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
