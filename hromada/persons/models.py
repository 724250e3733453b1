"""Residents: the person registry and households."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hromada.core.fields import NameKeyField
from hromada.territory.models import Category

# Where a person may live: settlements and the cities with special status (Kyiv, Sevastopol).
RESIDENCE_CATEGORIES = (Category.CITY, Category.URBAN_SETTLEMENT, Category.RURAL_SETTLEMENT, Category.VILLAGE,
                        Category.SPECIAL_CITY)


class Sex(models.TextChoices):
    MALE = "M", _("чоловіча")
    FEMALE = "F", _("жіноча")


class IdDocumentType(models.TextChoices):
    ID_CARD = "id_card", _("ID-картка")
    PASSPORT = "passport", _("паспорт (книжечка)")
    BIRTH_CERTIFICATE = "birth_certificate", _("свідоцтво про народження")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("чоловік / дружина")
    CHILD = "child", _("дитина")
    PARENT = "parent", _("батько / мати")
    SIBLING = "sibling", _("брат / сестра")
    GRANDCHILD = "grandchild", _("онук / онука")
    GRANDPARENT = "grandparent", _("дід / баба")
    WARD = "ward", _("підопічний")
    OTHER = "other", _("інший родич / член сім’ї")


def full_name_of(last_name: str | None, first_name: str | None, patronymic: str | None) -> str:
    """'Коваленко Олена Петрівна': a person's name from its parts (a list that reads values, not models, uses it too)."""
    return " ".join(p for p in (last_name, first_name, patronymic) if p)


class Person(models.Model):
    last_name = models.CharField(_("прізвище"), max_length=100)
    first_name = models.CharField(_("ім’я"), max_length=100)
    patronymic = models.CharField(_("по батькові"), max_length=100, blank=True)
    birth_date = models.DateField(_("дата народження"))
    sex = models.CharField(_("стать"), max_length=1, choices=Sex.choices)
    # Unique by ``unique_rnokpp`` below: a constraint, not ``unique=True``, which on PostgreSQL adds a pattern-ops twin
    # of the index that nothing reads (a number is looked up whole; 32 B per application at 5 M, #24).
    rnokpp = models.CharField(_("РНОКПП"), max_length=10, null=True, blank=True)
    # A recorded refusal of the number (religious grounds); then the passport identifies the person.
    no_rnokpp_reason = models.CharField(_("причина відсутності РНОКПП"), max_length=255, blank=True)
    id_document_type = models.CharField(_("документ, що посвідчує особу"), max_length=20,
                                        choices=IdDocumentType.choices, blank=True)
    id_document_number = models.CharField(_("номер документа"), max_length=20, blank=True)
    # Normalised "прізвище ім'я по батькові" for tolerant search (case, apostrophes, spaces), stored one byte a
    # Ukrainian letter (``NameKeyField``): it is in five indexes below. Ordered by it, a list is in the Ukrainian
    # alphabet's order (``core.text.pack_name_key``; the column is collated "C" on PostgreSQL).
    name_key = NameKeyField(max_length=320, editable=False)
    # Indexed by ``person_place_name`` below, which starts with it.
    settlement = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("населений пункт"), db_index=False)
    # The settlement's raion, kept beside it (``save``; a unit moved to another raion moves its residents:
    # ``services.follow_settlement_raions``): a district's list reads its first page and its total from the
    # person's own indexes, where a join to the raion's settlements left the planner to walk every person in name
    # order (#24). Indexed by ``person_raion_name`` and ``person_home_place`` below.
    raion = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              editable=False, db_index=False)
    street = models.CharField(_("вулиця"), max_length=200, blank=True)
    house = models.CharField(_("будинок"), max_length=20, blank=True)
    flat = models.CharField(_("квартира"), max_length=20, blank=True)
    phone = models.CharField(_("телефон"), max_length=13, blank=True)
    email = models.EmailField(_("ел. пошта"), blank=True)
    is_idp = models.BooleanField(_("внутрішньо переміщена особа"), default=False)
    # The hromada whose front office registered the person: the person's home scope. Set once, never changed
    # (``PersonAccess`` relies on it). Indexed by ``person_home_place`` below, which starts with it.
    registered_hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+",
                                           verbose_name=_("громада реєстрації"), db_index=False)
    # Not indexed: nothing lists persons by who registered them (users are deactivated; deleting one, which the
    # admin allows, scans the persons for this PROTECT once).
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                      related_name="+", db_index=False)
    # The child of a child-protection case (children's services): hidden from every other role's person search
    # (``scoping``). Set by ``services.mark_child_of_case`` when a case is registered (on PostgreSQL also by a trigger
    # on the cases, so no path misses it) and never cleared: a case is never deleted, and a save of other fields
    # leaves it alone (``save``). A column of the person, read with her, where a subquery of every case cost each
    # person read a hash of the country's cases (#24). In ``person_home_place``, so a count stays in the index.
    in_child_case = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("особа")
        verbose_name_plural = _("особи")
        ordering = ["last_name", "first_name", "patronymic", "birth_date"]
        constraints = [
            models.UniqueConstraint(fields=["rnokpp"], name="unique_rnokpp"),
            models.UniqueConstraint(fields=["id_document_type", "id_document_number"],
                                    condition=~models.Q(id_document_number=""), name="unique_id_document"),
            models.CheckConstraint(
                condition=models.Q(rnokpp__isnull=False) | ~models.Q(no_rnokpp_reason=""),
                name="rnokpp_or_recorded_refusal"),
        ]
        indexes = [
            # The duplicate check's "same birth date" (``duplicates._similar_q``): the surname's patterns are a filter
            # on the rows the date finds, never a condition of the index, so the name key beside the date was 59 B a
            # person the check did not read (#24, bytes; a date alone is stored once for its namesakes in birth).
            models.Index(fields=["birth_date"], name="person_birth_date"),
            # Everyone in name order (the list of a country-wide scope).
            models.Index(fields=["name_key"], name="person_name"),
            # A hromada's residents by the first letters of their name (the desk's search: the name search's home
            # part, ``surname_prefilter``'s LIKE 'ab%'; pattern ops, since PostgreSQL uses an index for LIKE only
            # then, whatever the database's collation). Replaces a country-wide pattern index: 181 thousand names
            # begin with «Ше» at 5 M, 689 of them in the busiest hromada.
            models.Index(fields=["registered_hromada", "name_key"], name="person_home_name",
                         opclasses=["int4_ops", "varchar_pattern_ops"]),
            # A hromada's residents of a raion or a place, counted from the index alone (the list's X-Total-Count,
            # #24): (hromada, raion) or (hromada, …, settlement) narrows, the id is what the count's UNION compares.
            # (The child-case flag is in it too: a count of the residents another role sees is read from it alone.)
            models.Index(fields=["registered_hromada", "raion", "settlement", "in_child_case", "id"],
                         name="person_home_place"),
            # A place's or a raion's residents in name order: the list's first page read from the index, not all of
            # them sorted.
            models.Index(fields=["settlement", "name_key"], name="person_place_name"),
            models.Index(fields=["raion", "name_key"], name="person_raion_name"),
            # The children of cases in a place or a raion (a few in thousands): the count's part "children taking part
            # in a case the user sees" reads them here, where it read every resident of the place to find them (#24:
            # 8 of a village's 9 ms, most of a district's 140 ms at 5 M with 100 thousand cases).
            models.Index(fields=["settlement", "id"], name="person_child_place", condition=models.Q(in_child_case=True)),
            models.Index(fields=["raion", "id"], name="person_child_raion", condition=models.Q(in_child_case=True)),
            # … and all of them by id, with their names: a name search's part "children in a case the user sees" probes
            # this small index for each of the hromada's case participants, where it read each one's row for the flag
            # (12 thousand in the busiest hromada at 5 M: that part 84 → 45 ms, the search 156 → 140 ms at p50).
            models.Index(fields=["id", "name_key"], name="person_child_id", condition=models.Q(in_child_case=True)),
            # … and a hromada's own, where the person rule finds those who take part in a case the user sees (only
            # persons from elsewhere have a row of access): the home index held them among all the hromada's
            # residents (81 of several thousand in the busiest at 1 M, read four times a list: 0.4 ms).
            models.Index(fields=["registered_hromada", "id"], name="person_home_child",
                         condition=models.Q(in_child_case=True)),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # Every save that may have moved the person takes the raion from the settlement (a list by raion relies on
        # it); a save of other fields leaves both alone.
        update_fields = kwargs.get("update_fields")
        if update_fields is None and not self._state.adding and self.pk is not None and not kwargs.get("force_insert"):
            # A person read before her child case was registered must not clear its flag by saving her (the fields
            # loaded are saved, as Django does for a deferred load).
            deferred = self.get_deferred_fields()
            update_fields = [f.name for f in self._meta.concrete_fields
                             if not f.primary_key and f.name != "in_child_case" and f.attname not in deferred]
            kwargs["update_fields"] = update_fields
        if update_fields is None or {"settlement", "settlement_id"} & set(update_fields):
            self.follow_settlement()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "raion"}
        super().save(*args, **kwargs)

    def follow_settlement(self) -> None:
        """Take the settlement's raion (``save`` does; a ``bulk_create`` of new persons must call it itself)."""
        self.raion_id = self.settlement.raion_id if self.settlement_id else None

    @property
    def full_name(self) -> str:
        return full_name_of(self.last_name, self.first_name, self.patronymic)

    @property
    def masked_rnokpp(self) -> str:
        return f"******{self.rnokpp[-4:]}" if self.rnokpp else ""

    @property
    def masked_id_document_number(self) -> str:
        """The identity document's number as lists show it: only its last three characters."""
        number = self.id_document_number or ""
        return f"{'*' * max(len(number) - 3, 3)}{number[-3:]}" if number else ""

    @property
    def address(self) -> str:
        parts = [str(self.settlement) if self.settlement_id else ""]
        if self.street:
            parts.append(f"{self.street}, {self.house}".rstrip(", "))
        if self.flat:
            parts.append(f"кв. {self.flat}")
        return ", ".join(p for p in parts if p)


class HouseholdMember(models.Model):
    """A member of the applicant's household and their relation to the applicant."""
    # A person's household is read by the unique (person, member) pair's index, whose first column it is: no index
    # of its own (#24, bytes; persons/0016).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household", db_index=False)
    member = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="member_of")
    relation = models.CharField(_("ступінь зв’язку"), max_length=20, choices=Relation.choices)
    since = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("член домогосподарства")
        verbose_name_plural = _("члени домогосподарства")
        constraints = [
            models.UniqueConstraint(fields=["person", "member"], name="unique_household_member"),
            models.CheckConstraint(condition=~models.Q(person=models.F("member")), name="member_not_self"),
        ]


class PersonLink(models.Model):
    """A person of another hromada taken into this hromada's work ("взяти особу в роботу громади").

    The resident stood at the desk and the specialist proved it (РНОКПП and the document's number, or РНОКПП,
    name and birth date: ``reason``) and said why (``purpose``); from then on the person is visible to this
    hromada's staff (see ``scoping.person_scope_q``). One row per (person, hromada); the first is kept.
    Created only by ``services.take_person_into_work`` (an explicit POST), never by a search.
    """
    # Indexed as the first column of unique_person_link: no index of its own (#24).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links", db_index=False)
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("громада"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("хто пов’язав"))
    at = models.DateTimeField(_("коли"), auto_now_add=True)
    reason = models.CharField(_("підстава"), max_length=32)
    purpose = models.CharField(_("мета"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("зв’язок особи з громадою")
        verbose_name_plural = _("зв’язки осіб з громадами")
        constraints = [models.UniqueConstraint(fields=["person", "hromada"], name="unique_person_link")]


class PersonAccess(models.Model):
    """The person takes part in an application of this hromada (any role) and is registered in another: the rule
    "persons in a case I can see" of ``scoping.person_scope_q`` for the hromadas' staff, answered from the
    (hromada, person) index alone instead of joining every participant row to its application.

    Only persons from elsewhere have a row: one registered in the case's hromada is seen there through the home part
    (``Person.registered_hromada`` never changes), but for a child of a protection case, whom the rule reads from
    the case's participants (few, and flagged perhaps after she joined the case). A case of a hromada is mostly its
    own residents': the rows are about one in a hundred of the pairs (#24, bytes; migration applications 0026).

    Kept by ``services.grant_case_access`` / ``revoke_case_access``, which the applications app calls whenever it
    adds or removes participants (an application's hromada never changes). One row per (person, hromada).
    """
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # No index of its own: the unique constraint's index starts with it.
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("участь особи у справах громади")
        verbose_name_plural = _("участь осіб у справах громад")
        constraints = [models.UniqueConstraint(fields=["hromada", "person"], name="unique_person_access")]
