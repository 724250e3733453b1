"""Cases of children in difficult life circumstances (служба у справах дітей).

The most sensitive data in the system: every model here is reached only through ``ChildCase``,
which the access layer shows to the children's service of the responsible hromada/raion alone.
The status field is changed only by hromada.children.workflow (the state machine). Category codes
(circumstances, reporter types, representative roles, outcomes, urgency) are data in
``data/rules.json``; the models keep codes, validated by the services.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Зареєстровано")
    ASSESSMENT = "assessment", _("Оцінювання потреб")
    DECIDED = "decided", _("Визнано в СЖО")
    CASE_PLAN = "case_plan", _("Виконується план")
    REVIEW = "review", _("Перегляд плану")
    CLOSED = "closed", _("Закрито")


ANONYMOUS = "anonymous"


class ChildCase(models.Model):
    number = models.CharField(_("номер"), max_length=40, unique=True)
    child = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="child_cases",
                              verbose_name=_("дитина"))
    # The responsible hromada: the scoping key (access.register(path="hromada")).
    # Indexed as the first column of the (hromada, …) index: no index of its own (#24).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("громада"), db_index=False)
    status = models.CharField(_("статус"), max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.REGISTERED, db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("зареєстрував"))
    registered_at = models.DateTimeField(_("зареєстровано"), auto_now_add=True)
    reported_on = models.DateField(_("дата надходження повідомлення"))
    reporter_type = models.CharField(_("джерело повідомлення"), max_length=20)
    urgency = models.CharField(_("терміновість"), max_length=20)
    summary = models.TextField(_("обставини (стисло)"), blank=True)
    assessment_due = models.DateField(_("строк оцінювання потреб"), db_index=True)
    outcome = models.CharField(_("результат"), max_length=40, blank=True)
    outcome_note = models.TextField(_("примітка до результату"), blank=True)
    closed_at = models.DateTimeField(_("закрито"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("справа дитини")
        verbose_name_plural = _("справи дітей")
        ordering = ["-registered_at", "-id"]
        indexes = [models.Index(fields=["hromada", "status"])]

    def __str__(self):
        return self.number

    @property
    def is_anonymous(self) -> bool:
        return self.reporter_type == ANONYMOUS


class CaseCircumstance(models.Model):
    # Indexed as the first column of unique_case_circumstance: no index of its own (#24).
    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="circumstances", db_index=False)
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="unique_case_circumstance")]


class Reporter(models.Model):
    """Who reported — kept apart from the case and never created for an anonymous report."""
    case = models.OneToOneField(ChildCase, on_delete=models.CASCADE, related_name="reporter")
    name = models.CharField(_("ПІБ / назва установи"), max_length=255)
    organisation = models.CharField(_("установа"), max_length=255, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    details = models.TextField(_("як зв’язатися, інше"), blank=True)


class CaseMember(models.Model):
    """A parent or legal representative of the child in the case."""
    # Indexed as the first column of unique_case_member: no index of its own (#24).
    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="members", db_index=False)
    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("роль"), max_length=30)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="unique_case_member")]


class Assessment(models.Model):
    case = models.OneToOneField(ChildCase, on_delete=models.CASCADE, related_name="assessment")
    started_on = models.DateField(_("розпочато"))
    due_date = models.DateField(_("строк"))
    completed_on = models.DateField(_("завершено"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    needs = models.TextField(_("потреби дитини"), blank=True)
    findings = models.TextField(_("висновки оцінювання"), blank=True)

    @property
    def on_time(self) -> bool | None:
        return None if self.completed_on is None else self.completed_on <= self.due_date


class Decision(models.Model):
    """Whether the child is in difficult life circumstances (складні життєві обставини, СЖО)."""
    case = models.OneToOneField(ChildCase, on_delete=models.CASCADE, related_name="decision")
    in_difficult_circumstances = models.BooleanField(_("перебуває у СЖО"))
    decided_on = models.DateField(_("дата рішення"))
    basis = models.TextField(_("підстава"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class CasePlan(models.Model):
    case = models.OneToOneField(ChildCase, on_delete=models.CASCADE, related_name="plan")
    approved_on = models.DateField(_("затверджено"))
    goal = models.TextField(_("мета"))
    next_review_due = models.DateField(_("наступний перегляд"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class Measure(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="measures")
    description = models.CharField(_("захід"), max_length=500)
    responsible_service = models.CharField(_("відповідальна служба"), max_length=255)
    due_date = models.DateField(_("строк"))
    done_on = models.DateField(_("виконано"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]


class Review(models.Model):
    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("дата перегляду"))
    findings = models.TextField(_("висновки"))
    next_review_due = models.DateField(_("наступний перегляд"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reviewed_on", "id"]


class Referral(models.Model):
    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="referrals")
    service_name = models.CharField(_("служба / заклад"), max_length=255)
    purpose = models.TextField(_("мета направлення"), blank=True)
    sent_on = models.DateField(_("надіслано"))
    feedback = models.TextField(_("зворотний зв’язок"), blank=True)
    feedback_on = models.DateField(_("отримано відповідь"), null=True, blank=True)

    class Meta:
        ordering = ["sent_on", "id"]


class Event(models.Model):
    """Append-only history of a child case. Never holds reporter data."""
    case = models.ForeignKey(ChildCase, on_delete=models.CASCADE, related_name="events")
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
    """Per hromada and year counter for readable case numbers (row-locked on increment)."""
    # Indexed as the first column of unique_child_case_sequence: no index of its own (#24).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hromada", "year"], name="unique_child_case_sequence")]
