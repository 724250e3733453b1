"""Front and back offices, which back office serves which hromada, staff positions."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Function(models.TextChoices):
    FRONT = "front", _("Фронт-офіс")
    BACK = "back", _("Бек-офіс")


class Kind(models.TextChoices):
    # front offices
    HROMADA_SOCIAL_UNIT = "hromada_social_unit", _("Структурний підрозділ соцзахисту громади")
    CNAP = "cnap", _("ЦНАП / «Прозорий офіс»")
    REMOTE_WORKPLACE = "remote_workplace", _("Віддалене робоче місце (старостинський округ)")
    # back offices: a role an institution plays, not one fixed kind
    RAION_SOCIAL_PROTECTION = "raion_social_protection", _("Управління соцзахисту райдержадміністрації")
    CITY_SOCIAL_PROTECTION = "city_social_protection", _("Управління соцзахисту міської ради")
    PFU_SERVICE_CENTRE = "pfu_service_centre", _("Сервісний центр Пенсійного фонду")
    OTHER_PROCESSING_BODY = "other_processing_body", _("Інший орган, що приймає рішення")
    CHILDREN_SERVICE = "children_service", _("Служба у справах дітей громади")
    HROMADA_SOCIAL_PROTECTION = "hromada_social_protection", _("Орган соцзахисту громади, що приймає рішення")


FRONT_KINDS = {Kind.HROMADA_SOCIAL_UNIT, Kind.CNAP, Kind.REMOTE_WORKPLACE}
BACK_KINDS = {Kind.RAION_SOCIAL_PROTECTION, Kind.CITY_SOCIAL_PROTECTION, Kind.PFU_SERVICE_CENTRE,
              Kind.OTHER_PROCESSING_BODY, Kind.CHILDREN_SERVICE, Kind.HROMADA_SOCIAL_PROTECTION}


class Authority(models.TextChoices):
    """Who decides a service (catalog data). A case goes to this authority's office serving the hromada."""
    SOCIAL_PROTECTION = "social_protection", _("Управління соціального захисту населення району / міста")
    PENSION_FUND = "pension_fund", _("Сервісний центр Пенсійного фонду України")
    CHILDREN_SERVICE = "children_service", _("Служба у справах дітей громади")
    HROMADA_SOCIAL_UNIT = "hromada_social_unit", _("Структурний підрозділ соціального захисту громади")


# The back-office kinds that act for each authority, and the territory its default office belongs to: the
# hromada's raion, or the hromada itself. An administrator overrides the default with a HromadaServing row.
AUTHORITY_KINDS: dict[str, frozenset[str]] = {
    Authority.SOCIAL_PROTECTION: frozenset({Kind.RAION_SOCIAL_PROTECTION, Kind.CITY_SOCIAL_PROTECTION,
                                            Kind.OTHER_PROCESSING_BODY}),
    Authority.PENSION_FUND: frozenset({Kind.PFU_SERVICE_CENTRE}),
    Authority.CHILDREN_SERVICE: frozenset({Kind.CHILDREN_SERVICE}),
    Authority.HROMADA_SOCIAL_UNIT: frozenset({Kind.HROMADA_SOCIAL_PROTECTION}),
}
RAION_LEVEL_AUTHORITIES = {Authority.SOCIAL_PROTECTION, Authority.PENSION_FUND}


def authority_of_kind(kind: str) -> str | None:
    """The authority a back office of this kind acts for (None for front offices)."""
    return next((a for a, kinds in AUTHORITY_KINDS.items() if kind in kinds), None)


class Office(models.Model):
    id = models.AutoField(primary_key=True)   # four bytes in every case that names it (#24; see KeyToInteger)
    name = models.CharField(_("назва"), max_length=255)
    function = models.CharField(_("функція"), max_length=8, choices=Function.choices, db_index=True)
    kind = models.CharField(_("вид"), max_length=32, choices=Kind.choices)
    # Front office: the hromada it works in. Back office: the unit it belongs to (raion, city, hromada).
    territory = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="offices",
                                  verbose_name=_("територія"))
    # The hromada a front office belongs to (equals territory for front offices); null for back offices.
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="front_offices", verbose_name=_("громада"))
    settlement = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("населений пункт"))
    address = models.CharField(_("адреса"), max_length=255, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    email = models.EmailField(_("ел. пошта"), blank=True)
    # Told to residents where the result waits (public status page, notifications), e.g. "пн–пт 8:00–17:00".
    opening_hours = models.CharField(_("години роботи"), max_length=255, blank=True)
    opened_on = models.DateField(_("дата відкриття"), null=True, blank=True)
    is_active = models.BooleanField(_("діє"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("офіс")
        verbose_name_plural = _("офіси")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(function="front", hromada__isnull=False) | models.Q(function="back")),
                name="front_office_has_hromada"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_front(self) -> bool:
        return self.function == Function.FRONT


class HromadaServing(models.Model):
    """Which back office decides, for one authority, the cases of a hromada's front offices.

    The authority is the office's (``authority_of_kind``); a hromada has at most one row per authority (kept by
    ``offices.services.assign_back_office``). Absent row, or a row whose office is closed = the default: the
    authority's first active office of the hromada's raion (social protection, Pension Fund) or of the hromada
    itself (children's service, the hromada's own unit). A row records an override (e.g. a city's own
    department, or a Pension Fund service centre of another raion).
    """
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="serving",
                                limit_choices_to={"category": "H"}, verbose_name=_("громада"))
    back_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="served_hromadas",
                                    limit_choices_to={"function": "back"}, verbose_name=_("бек-офіс"))
    since = models.DateField(_("з дати"), null=True, blank=True)
    note = models.CharField(_("підстава"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("обслуговування громади бек-офісом")
        verbose_name_plural = _("обслуговування громад бек-офісами")


class StaffPosition(models.Model):
    """A staffed position in an office (the 13,500 front-office specialists are counted from these)."""
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(_("посада"), max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="positions")
    since = models.DateField(_("з дати"), null=True, blank=True)
    until = models.DateField(_("по дату"), null=True, blank=True)

    class Meta:
        verbose_name = _("посада")
        verbose_name_plural = _("посади")

    def __str__(self):
        return f"{self.title} — {self.office}"
