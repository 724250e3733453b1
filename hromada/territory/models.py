"""Administrative-territorial units of the official codifier (КАТОТТГ).

Units are never deleted: a unit that disappears from a newer edition is marked inactive, so
offices, persons and applications that point to it keep their references.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    OBLAST = "O", _("Область / АР Крим")
    SPECIAL_CITY = "K", _("Місто зі спеціальним статусом")
    RAION = "P", _("Район")
    HROMADA = "H", _("Територіальна громада")
    CITY = "M", _("Місто")
    URBAN_SETTLEMENT = "T", _("Селище міського типу")
    RURAL_SETTLEMENT = "X", _("Селище")
    VILLAGE = "C", _("Село")
    CITY_DISTRICT = "B", _("Район у місті")


SETTLEMENT_CATEGORIES = (Category.CITY, Category.URBAN_SETTLEMENT, Category.RURAL_SETTLEMENT,
                         Category.VILLAGE)
# Codes of temporarily occupied Crimea (AR Crimea and Sevastopol): no front offices there.
CRIMEA_PREFIXES = ("UA01", "UA85")


class Unit(models.Model):
    id = models.AutoField(primary_key=True)   # four bytes in every row that names a place (#24; see KeyToInteger)
    code = models.CharField(_("код КАТОТТГ"), max_length=19, unique=True)
    # Indexed as the first column of the (category, …) index: no index of its own (#24).
    category = models.CharField(_("категорія"), max_length=1, choices=Category.choices)
    name = models.CharField(_("назва"), max_length=200)
    # Lower-case, one apostrophe form: what prefix lookups compare against.
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("батьківська одиниця"))
    level = models.PositiveSmallIntegerField(_("рівень"))
    # Denormalised ancestors: scoping by oblast/raion/hromada is one indexed equality.
    oblast = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    raion = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    hromada = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_active = models.BooleanField(_("діє"), default=True)
    in_crimea = models.BooleanField(_("тимчасово окупований Крим"), default=False)
    edition = models.DateField(_("редакція кодифікатора"), null=True, blank=True)

    class Meta:
        verbose_name = _("адміністративно-територіальна одиниця")
        verbose_name_plural = _("адміністративно-територіальні одиниці")
        ordering = ["code"]
        indexes = [models.Index(fields=["category", "name_key"])]

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        """Human label: 'Баранівська територіальна громада (Звягельський р-н, Житомирська обл.)'."""
        parts = [self.name]
        if self.category == Category.HROMADA:
            parts = ["%s %s" % (self.name, _("громада"))]  # not an f-string: xgettext must see the call
        elif self.category == Category.RAION:
            parts = ["%s %s" % (self.name, _("район"))]
        elif self.category == Category.OBLAST and not self.name.startswith("Автономна"):
            parts = ["%s %s" % (self.name, _("область"))]
        ancestors = [a.name for a in (self.raion, self.oblast) if a and a.pk != self.pk]
        if ancestors:
            parts.append(f"({', '.join(ancestors)})")
        return " ".join(str(p) for p in parts)


class Edition(models.Model):
    """One import of an official codifier edition (what, when, how many changes)."""
    source = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    edition = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at"]
