"""Reads of the person registry, always on behalf of a user.

Search policy
-------------
* **Exact identifier** (РНОКПП or identity-document number) finds within the user's scope, like every search
  here: a read never writes and never widens a scope. A resident of another hromada standing at the desk is
  found country-wide only by ``services.take_person_into_work`` ("взяти особу в роботу громади"): an explicit,
  audited, throttled POST with proof she is present (РНОКПП and document number, or РНОКПП, name and birth
  date) and a reason; it links her to the desk's hromada (``PersonLink``).
* **Name** (``q``) searches only within the user's scope — never the whole country — and tolerates case,
  the apostrophe variants ʼ ' ’ and small typos (a letter wrong or missing). Candidates are pre-selected
  in SQL by the surname's first letters (or a piece of it) and ranked in Python with ``difflib``, which
  works the same on SQLite and PostgreSQL. ``birth_date`` narrows either search.
* Children of child-protection cases are outside every path here but the children's service's (the access
  rule ``scoping.person_scope_q``; each path goes through ``access.visible``).
* Selectors only read: the views and API handlers audit what they show (``audit.services.audited_read``).
"""
from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, cast

from django.db import router
from django.db.models import Field, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.core.compiled import CompiledSelect, Keyed, int_slot, slot
from hromada.core.db import prepared
from hromada.core.errors import ValidationFailed
from hromada.core.registry import Slot
from hromada.core.text import normalize_name, pack_name_key
from hromada.territory.models import Category
from hromada.territory.selectors import unit_id_of_code

from . import scoping
from .duplicates import find_duplicates, name_score, surname_prefilter
from .models import RESIDENCE_CATEGORIES, HouseholdMember, IdDocumentType, Person
from .validators import FieldError, clean_id_document

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # django-stubs (dev only): annotations only

__all__ = ["search_persons", "search_page", "area_q", "SearchPage", "find_duplicates",
           "get_person", "household_of", "parse_query", "SearchQuery"]

RNOKPP_RE = re.compile(r"^\d{10}$")
PASTED_RNOKPP_RE = re.compile(r"^(?=(?:\D*\d){10}\D*$)\d[\d\-.]*[.,;]?$")
# How many name candidates are ranked in Python at most (a hromada rarely has more for 2 letters).
MAX_RANKED = 3000


@dataclass(frozen=True)
class SearchQuery:
    kind: str           # "rnokpp" | "document" | "name" | "all"
    value: str = ""


def parse_query(text: str | None) -> SearchQuery:
    """What the one search box holds: 10 digits — a РНОКПП; an ID card, passport or birth-certificate
    number — a document; anything else — a name."""
    text = " ".join((text or "").replace("\u200b", "").replace("\ufeff", "").split())
    compact = text.replace(" ", "")
    # A number pasted from a document or a message keeps its separators ("1234-567-890", "1234567890."): the
    # digits decide.
    if PASTED_RNOKPP_RE.match(compact):
        compact = re.sub(r"\D", "", compact)
    if not text:
        return SearchQuery("all")
    if RNOKPP_RE.match(compact):
        return SearchQuery("rnokpp", compact)
    if document_lookups(text):
        return SearchQuery("document", text)
    return SearchQuery("name", text)


def document_lookups(number: str) -> list[tuple[str, str]]:
    """Every (type, normalised number) the typed number is valid as (the type is not asked for)."""
    found = []
    for doc_type in IdDocumentType.values:
        try:
            found.append(clean_id_document(doc_type, number))
        except FieldError:
            continue
    return found


def _base(user: User) -> QuerySet[Person]:
    # A list shows the address (the settlement); the hromada of registration only the card does (``get_person``).
    return access.visible(user, Person).select_related("settlement")


def _by_identifier(user: User, cond: Q, *, by_rnokpp: bool) -> list[Person]:
    """Exact lookup within the user's scope (the national one is ``services.take_person_into_work``).

    By РНОКПП the statement is prepared once per connection (``core.db.prepared``): a unique index, so one plan suits
    every number. Not by document: its unique index is partial (a number given), which a plan for any value cannot
    use."""
    if not access.may(user, "person.view"):
        return []
    found = _base(user).filter(cond).order_by("pk")[:5]
    with prepared(found.db) if by_rnokpp else contextlib.nullcontext():
        return list(found)


def _by_rnokpp(user: User, rnokpp: str) -> list[Person]:
    """``_by_identifier`` by РНОКПП alone: its statement compiled once per rule key (``_rnokpp_statement``), prepared
    once per connection, run with the number."""
    using = router.db_for_read(Person)
    key = access.visible_key(user, Person, using)
    if key is None:     # a rule built for the user alone, or one who may not read persons
        return _by_identifier(user, Q(rnokpp=rnokpp), by_rnokpp=True)
    statement = _rnokpp_statement(Keyed(key, user), using)
    with prepared(statement.using):
        return cast(list[Person], statement.run(rnokpp))


# A key per office and role that reads persons (some thousands in the country); each entry holds one statement's
# SQL, about 3 KB (its columns are shared: core.compiled).
@functools.lru_cache(maxsize=4096)
def _rnokpp_statement(keyed: Keyed, using: str) -> CompiledSelect:
    """The lookup by РНОКПП of the users whose person rule has ``keyed``'s key (``access.visible_key``), compiled."""
    (user,) = keyed.take()
    return CompiledSelect(_base(user).using(using).filter(rnokpp=slot(0)).order_by("pk")[:5],
                          slots=[Person._meta.get_field("rnokpp")])


def _unit_id(code: str | None, categories: Collection[str], field: str, error_code: str,
             message: StrOrPromise) -> int | None:
    """The id of the КАТОТТГ unit ``code`` names, of one of ``categories``; 422 for anything else."""
    if code is None:
        return None
    unit_id = unit_id_of_code(code, categories)
    if unit_id is None:
        raise ValidationFailed(message, code=error_code, details={"field": field})
    return unit_id


def area_q(*, raion: str | None = None, settlement: str | None = None) -> Q:
    """Persons living (address) in the raion and/or the settlement given by their КАТОТТГ codes.

    The person's own ``raion`` (her settlement's) makes the raion filter one indexed equality on persons: the
    district's first page walks ``person_raion_name``, its total ``person_home_place``."""
    cond = Q()
    raion_id = _unit_id(raion, (Category.RAION,), "raion", "invalid_raion", _("Район не знайдено в кодифікаторі КАТОТТГ."))
    settlement_id = _unit_id(settlement, RESIDENCE_CATEGORIES, "settlement", "invalid_settlement",
                             _("Населений пункт не знайдено в кодифікаторі КАТОТТГ."))
    if raion_id is not None:
        cond &= Q(raion_id=raion_id)
    if settlement_id is not None:
        cond &= Q(settlement_id=settlement_id)
    return cond


@dataclass(frozen=True)
class SearchPage:
    persons: list[Person]
    total: int | None     # every match, when asked for (``with_total``)


def search_persons(user: User, *, rnokpp: str | None = None, document: str | None = None, q: str | None = None,
                   birth_date: date | None = None, limit: int = 20, offset: int = 0, national: bool = True,
                   request: HttpRequest | None = None, area: Q | None = None) -> list[Person]:
    """Persons matching the query, best first (see the module docstring for the policy).

    ``q`` may hold a РНОКПП or a document number too (the one search box). Every path stays within the
    user's scope and writes nothing; ``national`` and ``request`` are accepted for old callers and ignored.
    ``area`` (``area_q``) narrows to a raion or settlement.
    """
    return search_page(user, rnokpp=rnokpp, document=document, q=q, birth_date=birth_date, limit=limit,
                       offset=offset, area=area).persons


def search_page(user: User, *, rnokpp: str | None = None, document: str | None = None, q: str | None = None,
                birth_date: date | None = None, limit: int = 20, offset: int = 0, area: Q | None = None,
                with_total: bool = False) -> SearchPage:
    """``search_persons`` plus, with ``with_total``, the number of every match: a list's total is a column of its
    page (the same statement), a name search's is the number ranked; one COUNT more only for a page past the last."""
    area = area if area is not None else Q()
    if not rnokpp and not document:
        parsed = parse_query(q)
        if parsed.kind == "rnokpp":
            rnokpp = parsed.value
        elif parsed.kind == "document":
            document = parsed.value
    if rnokpp or document:
        given = (rnokpp or "").strip().replace(" ", "")
        if rnokpp:
            cond = Q(rnokpp=given)
        else:
            lookups = document_lookups(cast(str, document))
            if not lookups:
                return SearchPage([], 0 if with_total else None)
            cond = Q()
            for doc_type, number in lookups:
                cond |= Q(id_document_type=doc_type, id_document_number=number)
        exact = _by_rnokpp(user, given) if rnokpp and not area else \
            _by_identifier(user, cond & area, by_rnokpp=bool(rnokpp))
        hits = [p for p in exact if birth_date is None or p.birth_date == birth_date]
        return SearchPage(hits[offset:offset + limit], len(hits) if with_total else None)
    qs = _base(user).filter(area)
    if birth_date is not None:
        qs = qs.filter(birth_date=birth_date)
    key = normalize_name(q)
    if not key:
        counted = with_total and access.may(user, "person.view")
        cond = area & Q(birth_date=birth_date) if birth_date is not None else area
        compiled = _list_statement_for(user, area, birth_date, counted, offset, limit, qs.db)
        if compiled is not None:
            statement, values = compiled
            rows = cast(list[Person], statement.run(*values))
        else:
            rows = list(_list_page(qs, user, cond, counted)[offset:offset + limit])
        if not with_total:
            return SearchPage(rows, None)
        if (rows or offset == 0) and len(rows) < limit:
            return SearchPage(rows, offset + len(rows))     # a short last page tells the total without counting
        if not counted:
            return SearchPage(rows, 0)
        if rows:
            return SearchPage(rows, rows[0].scope_total)    # type: ignore[attr-defined]  # the annotation above
        # An empty page past the last has no row to carry the total: it is counted apart.
        return SearchPage(rows, scoping.person_scope_count(user, access.scope_of(user), cond, using=qs.db))
    keys: Iterable[tuple[int, str]]
    if birth_date is None and access.may(user, "person.view"):
        # The OR of the scope's parts would make the database read every person; each part narrowed by the
        # surname on its own index finds the few candidates. The parts' UNION is the scope
        # (``person_scope_cover``), so what they found is what the user may see: read again only when too many.
        prefilter = surname_prefilter(key.split()[0])
        found: dict[int, str] = {}
        for part in scoping.person_scope_cover(user, access.scope_of(user)):
            found.update(Person.objects.filter(part, prefilter, area).values_list("pk", "name_key")[:MAX_RANKED])
        keys = (found.items() if len(found) <= MAX_RANKED
                else qs.filter(pk__in=sorted(found)).values_list("pk", "name_key")[:MAX_RANKED])
    else:
        keys = qs.values_list("pk", "name_key")[:MAX_RANKED]
    # Namesakes share a name key (a common surname in a big hromada: thousands of rows, a few hundred keys):
    # each distinct key is scored once.
    score_of = functools.cache(functools.partial(name_score, key))
    # Equal scores in the lists' order (the packed key's: the alphabet's), each distinct key packed once.
    packed = functools.cache(pack_name_key)
    ranked = sorted(((score, k, pk) for pk, k in keys if (score := score_of(k)) > 0),
                    key=lambda t: (-t[0], packed(t[1]), t[2]))
    page = [pk for _score, _k, pk in ranked[offset:offset + limit]]
    persons = Person.objects.select_related("settlement").in_bulk(page)
    return SearchPage([persons[pk] for pk in page], len(ranked) if with_total else None)


def _list_page(qs: QuerySet[Person], user: User, cond: Q, counted: bool) -> QuerySet[Person]:
    """A list's rows in name order; ``counted``: each carries the list's total (``scope_total``), so the page and
    its total take one statement and one round trip. The total's SQL is Django's compilation of the scope's
    querysets (``scoping.person_scope_count_sql``), its values parameters."""
    ordered = qs.order_by("name_key", "birth_date", "pk")
    if counted:
        ordered = ordered.annotate(scope_total=RawSQL(*scoping.person_scope_count_sql(  # noqa: S611
            user, access.scope_of(user), cond, using=ordered.db)))
    return ordered


# The places a list is narrowed to, as the API's filters give them (``area_q``): the fields the compiled statement
# puts their values in.
_AREA_FIELDS = ("raion_id", "settlement_id")


def _list_statement_for(user: User, area: Q, birth_date: date | None, counted: bool, offset: int, limit: int,
                        using: str) -> tuple[CompiledSelect, list[int]] | None:
    """A place's list (its page and total) as a statement compiled once per rule key, places given and page
    (``_list_statement``), and the place ids it is run with; None where the list is built afresh: a rule built for
    the user alone, a birth date, or a condition other than ``area_q``'s. Building and compiling the list took about
    a fifth of a village's page in-process (1.3 of 7.4 ms at 1 M applications, #24)."""
    if birth_date is not None or area.negated or area.connector != Q.AND:
        return None
    parts: dict[str, int] = dict(child for child in area.children if isinstance(child, tuple))
    if len(parts) != len(area.children) or not set(parts) <= set(_AREA_FIELDS):
        return None
    key = access.visible_key(user, Person, using)
    if key is None:
        return None
    places = tuple(name for name in _AREA_FIELDS if name in parts)
    statement = _list_statement(Keyed((key, places, counted, offset, limit), user), using)
    return statement, [parts[name] for name in places]


# A key per office and role that reads persons, places given and page (mostly the first): a few thousand statements
# of about 6 KB each.
@functools.lru_cache(maxsize=4096)
def _list_statement(keyed: Keyed, using: str) -> CompiledSelect:
    (_key, places, counted, offset, limit), (user,) = keyed.key, keyed.take()
    cond = Q(**{name: int_slot(n) for n, name in enumerate(places)})
    page = _list_page(_base(user).using(using).filter(cond), user, cond, counted)[offset:offset + limit]
    return CompiledSelect(page, slots=[cast(Field, Person._meta.get_field(name.removesuffix("_id"))) for name in places])


def get_person(user: User, person_id: int, *, request: HttpRequest | None = None) -> Person:
    """One person (404 outside the user's scope). Reads only: the caller audits what it shows."""
    return access.get_visible(user, _base(user).select_related("registered_hromada"), pk=person_id)


def household_of(user: User, person: Person) -> list[HouseholdMember]:
    """The person's household members (the person must already be visible to ``user``)."""
    if not access.can_see(user, person):
        return []
    # Members outside the user's scope (a child of a protection case above all) are not listed either.
    return list(HouseholdMember.objects.filter(person=person, member__in=access.visible(user, Person).values("pk"))
                .select_related("member", "member__settlement", "member__registered_hromada")
                .order_by("member__birth_date", "pk"))


def member_of(person: Person) -> list[HouseholdMember]:
    """Households the person belongs to as a member (shown on the card as "член домогосподарства")."""
    return list(HouseholdMember.objects.filter(member=person).select_related("person").order_by("pk"))


# Provided by ApplicationsConfig.ready (applications sit on the floor above persons).
_applications_of = Slot("persons.applications_of")


def applications_of(user: User, person: Person) -> QuerySet:
    """The visible applications this person takes part in (newest first)."""
    return _applications_of(user, person)


# --- the resident's access report (#23 p.5) -------------------------------------------------------------------

# Provided by ApplicationsConfig.ready: (person) -> ids of every application she takes part in, in any hromada (the
# resident asks about all accesses to her data, not only those the desk answering her may see).
case_ids_of = Slot("persons.case_ids_of")


@dataclass(frozen=True)
class Access:
    at: object
    office: str          # who: the office and the role — not the specialist's own data
    role: str
    hromada: str
    what: str
    why: str
    own_office: bool     # made by the desk that prepares the answer


def access_report(user: User, person_id: int) -> tuple[Person, list[Access]]:
    """Every recorded access to the person's record and to her cases: changes and reads (cards, lists and searches
    that showed her, downloads), by any office, oldest first. The desk answering her request must see her (404
    otherwise); the report itself is audited by the caller."""
    from hromada.audit.selectors import entries_about, present

    access.require(user, "person.access_report")
    person = get_person(user, person_id)
    entries = entries_about("persons.person", person.pk)
    seen = {e.pk for e in entries}
    for case_id in case_ids_of(person):
        for e in entries_about("applications.application", case_id):
            if e.pk not in seen:
                seen.add(e.pk)
                entries.append(e)
    entries.sort(key=lambda e: (e.at, e.pk))
    own_office = getattr(user, "office_id", None)
    result = []
    for row in present(user, entries):
        e = row.entry
        what = row.action + (f" ({row.object} #{e.object_id})" if e.object_id and e.object_type != "persons.person"
                             else "")
        result.append(Access(at=e.at, office=row.office or "—", role=row.role or "—",
                             hromada=f"{row.hromada} ({row.hromada_code})" if row.hromada else "—", what=what,
                             why=row.reason or _purpose(e.action), own_office=bool(own_office) and
                             e.actor_id is not None and getattr(e.actor, "office_id", None) == own_office))
    return person, result


def _purpose(action: str) -> str:
    """The purpose of processing (Law «Про захист персональних даних», art. 8 p. 2(2)) by kind of action."""
    from django.utils.translation import gettext

    if action.startswith(("application.", "decision.", "document.")):
        return gettext("розгляд звернення за соціальною послугою")
    if action.startswith("person."):
        return gettext("ведення реєстру отримувачів послуг")
    if action.startswith("childcase."):
        return gettext("захист прав дитини")
    if action.startswith(("audit.", "admin.")):
        return gettext("контроль за обробкою персональних даних")
    return gettext("виконання повноважень")
