"""Staff users with one role and one scope; API tokens."""
import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_SPECIALIST = "front_specialist", _("Фахівець фронт-офісу")
    BACK_SPECIALIST = "back_specialist", _("Фахівець бек-офісу")
    BACK_HEAD = "back_head", _("Керівник бек-офісу")
    HROMADA_ADMIN = "hromada_admin", _("Адміністратор громади")
    CHILD_SERVICE = "child_service", _("Фахівець служби у справах дітей")
    SOCIAL_WORKER = "social_worker", _("Фахівець із соціальної роботи")
    PROVIDER_WORKER = "provider_worker", _("Працівник надавача соціальних послуг")
    OBLAST_MONITOR = "oblast_monitor", _("Моніторинг області")
    MINISTRY = "ministry", _("Міністерство")
    AUDITOR = "auditor", _("Аудитор")
    SYSADMIN = "sysadmin", _("Системний адміністратор")


OFFICE_ROLES = {Role.FRONT_SPECIALIST, Role.BACK_SPECIALIST, Role.BACK_HEAD}
TERRITORY_ROLES = {Role.HROMADA_ADMIN, Role.CHILD_SERVICE, Role.OBLAST_MONITOR, Role.SOCIAL_WORKER,
                   Role.PROVIDER_WORKER}
NATIONAL_ROLES = {Role.MINISTRY, Role.AUDITOR, Role.SYSADMIN}
# Roles whose accounts must pass TOTP two-factor authentication (settings.HROMADA_REQUIRE_2FA).
TWO_FACTOR_ROLES = {Role.BACK_HEAD, Role.MINISTRY, Role.SYSADMIN, Role.AUDITOR, Role.CHILD_SERVICE}


def short_name_of(last_name: str | None, first_name: str | None, patronymic: str | None, username: str) -> str:
    """'Коваленко О. П.' from a user's name parts, else the username (a list that reads values uses it too)."""
    initials = "".join(f"{p[0]}. " for p in (first_name, patronymic) if p).strip()
    return f"{last_name or ''} {initials}".strip() or username


class User(AbstractUser):
    id = models.AutoField(primary_key=True)   # four bytes in every row that names a user (#24; see KeyToInteger)
    patronymic = models.CharField(_("по батькові"), max_length=150, blank=True)
    role = models.CharField(_("роль"), max_length=32, choices=Role.choices)
    # Scope: an office (front/back staff) or a territory unit (hromada, raion, oblast); national roles none.
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="staff", verbose_name=_("офіс"))
    territory = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("територія"))
    phone = models.CharField(_("телефон"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("користувач")
        verbose_name_plural = _("користувачі")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role__in=sorted(r.value for r in OFFICE_ROLES), office__isnull=False)
                           | models.Q(role__in=sorted(r.value for r in TERRITORY_ROLES), territory__isnull=False)
                           | models.Q(role__in=sorted(r.value for r in NATIONAL_ROLES))),
                name="user_scope_matches_role"),
        ]

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p) or self.username

    @property
    def short_name(self) -> str:
        """'Коваленко О. П.' as used on printed documents."""
        return short_name_of(self.last_name, self.first_name, self.patronymic, self.username)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a hash is stored; tokens expire and can be revoked."""
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-токен")
        verbose_name_plural = _("API-токени")

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SecurityNotice(models.Model):
    """A change to the user's sign-in factors, shown to the user on screen at the next sign-in (and mailed when
    it happened, if the user has an e-mail address): someone who replaced the authenticator with a stolen
    password and code cannot do it unnoticed."""

    class Kind(models.TextChoices):
        DEVICE_REPLACED = "device_replaced", _("Пристрій двофакторної автентифікації замінено")
        RECOVERY_CODE_USED = "recovery_code_used", _("Для входу використано резервний код")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Створено нові резервні коди")

    # Indexed as the first column of the (user, …) index: no index of its own (#24).
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_notices", db_index=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("сповіщення безпеки")
        verbose_name_plural = _("сповіщення безпеки")
        indexes = [models.Index(fields=["user", "shown_at"])]
