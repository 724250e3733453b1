"""Social services under the Law «Про соціальні послуги» (2019, № 2671-VIII): providers, the social case of a
person/family (application → needs assessment → decision → individual plan → deliveries → closure), referrals.

Everything personal is reached through ``SocialCase``, which the access layer shows to the hromada's social-work
specialists and — only for their own clients — to the workers of a provider. The status changes only through
hromada.social.workflow (the one state-machine engine). Service, outcome and section codes are data
(``data/services.json``), validated by the services.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Заяву зареєстровано")
    ASSESSMENT = "assessment", _("Оцінювання потреб")
    ASSESSED = "assessed", _("Оцінено, очікує рішення")
    PROVIDING = "providing", _("Рішення про надання, складається план")
    IN_SERVICE = "in_service", _("Послуги надаються")
    SUSPENDED = "suspended", _("Надання призупинено")
    REFUSED = "refused", _("Відмовлено")
    CLOSED = "closed", _("Закрито")


class Provider(models.Model):
    """A social-service provider serving the hromada (register of providers)."""
    name = models.CharField(_("назва"), max_length=255)
    kind = models.CharField(_("форма власності"), max_length=20)
    edrpou = models.CharField(_("код ЄДРПОУ"), max_length=10, blank=True)
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("громада"))
    address = models.CharField(_("адреса"), max_length=255, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    is_active = models.BooleanField(_("діє"), default=True)

    class Meta:
        verbose_name = _("надавач соціальних послуг")
        verbose_name_plural = _("надавачі соціальних послуг")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class ProviderService(models.Model):
    """A service a provider offers, with its capacity (places / recipients at once)."""
    # Indexed as the first column of unique_provider_service: no index of its own (#24).
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offers", db_index=False)
    service_code = models.CharField(_("послуга"), max_length=40)
    capacity = models.PositiveIntegerField(_("кількість місць / отримувачів"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "service_code"], name="unique_provider_service")]
        ordering = ["service_code"]


class ProviderStaff(models.Model):
    """A provider worker's account: it sees only the clients of this provider."""
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_provider")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="staff")


class SocialCase(models.Model):
    """One case per person/family: it gathers the application, assessments, decision, plan and deliveries."""
    number = models.CharField(_("номер"), max_length=40, unique=True)
    check_code = models.CharField(_("код перевірки"), max_length=12)
    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="social_cases",
                               verbose_name=_("отримувач"))
    # The scoping key (access.register(path="hromada")): the hromada whose social-protection unit handles it.
    # Indexed as the first column of the (hromada, …) index: no index of its own (#24).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("громада"), db_index=False)
    # The hromada's own social-protection body or centre (offices.selectors.deciding_office_for), never the raion.
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("уповноважений орган"))
    status = models.CharField(_("статус"), max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.REGISTERED, db_index=True)
    urgency = models.CharField(_("терміновість"), max_length=10)
    applied_on = models.DateField(_("дата звернення"))
    assessment_due = models.DateField(_("строк оцінювання потреб"), db_index=True)
    decision_due = models.DateField(_("строк прийняття рішення"))
    summary = models.TextField(_("суть звернення"), blank=True)
    documents = models.JSONField(_("подані документи"), default=list, blank=True)  # codes from services.json
    # The front office's application (with its scans, receipt and public status) the case was opened from; none
    # for a case registered at the specialist's desk. A string reference: social never imports applications.
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("заява фронт-офісу"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("зареєстровано"), auto_now_add=True)
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("фахівець із соціальної роботи"))
    consent_on = models.DateField(_("згода на надання послуг та обробку даних"), null=True, blank=True)
    outcome = models.CharField(_("результат"), max_length=40, blank=True)
    outcome_note = models.TextField(_("примітка до результату"), blank=True)
    closed_at = models.DateTimeField(_("закрито"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("справа соціальних послуг")
        verbose_name_plural = _("справи соціальних послуг")
        ordering = ["-registered_at", "-id"]
        indexes = [models.Index(fields=["hromada", "status"])]

    def __str__(self):
        return self.number


class RequestedService(models.Model):
    # Indexed as the first column of unique_requested_service: no index of its own (#24).
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="requested", db_index=False)
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="unique_requested_service")]


class Assessment(models.Model):
    """A needs assessment (the first one, or a reassessment on schedule or change)."""
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="assessments")
    is_reassessment = models.BooleanField(default=False)
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("строк"))
    completed_on = models.DateField(_("завершено"))
    home_visit_on = models.DateField(_("візит додому"), null=True, blank=True)
    home_visit_note = models.TextField(_("результат візиту"), blank=True)
    # {section code: {"score": 0..3, "note": str}} — sections and scale in services.json.
    sections = models.JSONField(default=dict)
    total_score = models.PositiveSmallIntegerField(default=0)
    free_conditions = models.JSONField(default=list)   # codes of the art. 28 list found to apply
    needs_identified = models.BooleanField(_("потреби виявлено"))
    conclusion = models.TextField(_("висновок"))
    recommended = models.JSONField(default=list)       # service codes

    class Meta:
        ordering = ["completed_on", "id"]

    @property
    def on_time(self) -> bool:
        return self.completed_on <= self.due_date


class Decision(models.Model):
    case = models.OneToOneField(SocialCase, on_delete=models.CASCADE, related_name="decision")
    provide = models.BooleanField(_("надати послуги"))
    reason = models.TextField(_("підстава / причини"))
    decided_on = models.DateField(_("дата рішення"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    payment = models.CharField(_("оплата"), max_length=10, blank=True)

    @property
    def on_time(self) -> bool:
        return self.decided_on <= self.case.decision_due


class CaseService(models.Model):
    """A service decided for the case, with its provider; on the waiting list while the provider is full."""
    ACTIVE, WAITING, SUSPENDED, ENDED = "active", "waiting", "suspended", "ended"
    STATES = {ACTIVE: _("надається"), WAITING: _("черга очікування"), SUSPENDED: _("призупинено"),
              ENDED: _("припинено")}
    # Indexed as the first column of unique_case_service: no index of its own (#24).
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="services", db_index=False)
    code = models.CharField(max_length=40)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="case_services")
    state = models.CharField(max_length=10, default=ACTIVE, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    frequency = models.CharField(_("періодичність"), max_length=120, blank=True)
    goal = models.TextField(_("мета"), blank=True)
    contract_number = models.CharField(_("номер договору"), max_length=40, blank=True)
    contract_on = models.DateField(_("дата договору"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="unique_case_service")]

    @property
    def state_label(self):
        return self.STATES.get(self.state, self.state)


class Plan(models.Model):
    """The individual plan (індивідуальний план надання соціальних послуг)."""
    case = models.OneToOneField(SocialCase, on_delete=models.CASCADE, related_name="plan")
    approved_on = models.DateField(_("затверджено"))
    goals = models.TextField(_("мета плану"))
    next_reassessment_due = models.DateField(_("повторне оцінювання"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class Delivery(models.Model):
    """A visit or delivery logged by the provider's worker."""
    service = models.ForeignKey(CaseService, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField(_("дата"))
    minutes = models.PositiveIntegerField(_("тривалість, хв"), default=0)
    note = models.TextField(_("що зроблено"), blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]


class Referral(models.Model):
    """A referral to another body (children's service, health, employment centre, …)."""
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="referrals")
    body = models.CharField(_("орган"), max_length=30)
    purpose = models.TextField(_("мета"))
    sent_on = models.DateField(_("надіслано"))

    class Meta:
        ordering = ["sent_on", "id"]


class Event(models.Model):
    """Append-only history of a social case (codes and ids, no personal data)."""
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(db_index=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class CaseSequence(models.Model):
    # Indexed as the first column of unique_social_case_sequence: no index of its own (#24).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hromada", "year"], name="unique_social_case_sequence")]
