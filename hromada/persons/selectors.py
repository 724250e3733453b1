"""Reads of the person registry, always on behalf of a user.

Search policy
-------------
* **Exact identifier** (РНОКПП or identity-document number). A resident shows the document at the desk,
  so a front-office specialist (``person.lookup_by_identifier``) may find ANY person in the country by
  the exact number. A hit outside the specialist's scope links the person to the specialist's hromada
  (``PersonLink``, audited as ``person.link``); from then on the person is in that hromada's scope
  (``scoping.person_scope_q``). Other roles find by identifier only within their scope.
* **Name** (``q``) searches only within the user's scope — never the whole country — and tolerates case,
  the apostrophe variants ʼ ' ’ and small typos (a letter wrong or missing). Candidates are pre-selected
  in SQL by the surname's first letters (or a piece of it) and ranked in Python with ``difflib``, which
  works the same on SQLite and PostgreSQL. ``birth_date`` narrows either search.
* Opening a person's card (``get_person``) is audited as a read.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from hromada.accounts import access
from hromada.applications.models import Application
from hromada.audit.services import record
from hromada.core.text import normalize_name

from . import scoping, services
from .duplicates import find_duplicates, name_score, surname_prefilter
from .models import HouseholdMember, IdDocumentType, Person
from .validators import FieldError, clean_id_document

__all__ = ["search_persons", "find_duplicates", "get_person", "household_of", "parse_query", "SearchQuery"]

RNOKPP_RE = re.compile(r"^\d{10}$")
# How many name candidates are ranked in Python at most (a hromada rarely has more for 2 letters).
MAX_RANKED = 3000


@dataclass(frozen=True)
class SearchQuery:
    kind: str           # "rnokpp" | "document" | "name" | "all"
    value: str = ""


def parse_query(text: str | None) -> SearchQuery:
    """What the one search box holds: 10 digits — a РНОКПП; an ID card, passport or birth-certificate
    number — a document; anything else — a name."""
    text = " ".join((text or "").split())
    compact = text.replace(" ", "")
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


def _base(user) -> QuerySet[Person]:
    return access.visible(user, Person).select_related("settlement", "registered_hromada")


def _by_identifier(user, cond: Q, reason: str, request=None, *, national: bool = True) -> list[Person]:
    """Exact lookup: country-wide for the desk (linking the person), within scope for other roles."""
    if not access.may(user, "person.view"):
        return []
    if not national or not access.may(user, "person.lookup_by_identifier"):
        return list(_base(user).filter(cond)[:5])
    # At most one person per РНОКПП (unique) or document: the id order is enough and cheaper to build.
    hits = list(Person.objects.filter(cond).select_related("settlement", "registered_hromada").order_by("pk")[:5])
    # Residents of the desk's own hromada are at home (the usual case): only the others need the scope query,
    # which decides whether the lookup links them to this desk.
    scope = access.scope_of(user)
    others = [p for p in hits if p.registered_hromada is None or not scope.contains_hromada(p.registered_hromada)]
    if others:
        in_scope = set(access.visible(user, Person).filter(pk__in=[p.pk for p in others]).values_list("pk", flat=True))
        for person in others:
            if person.pk not in in_scope:
                services.link_person_to_desk(actor=user, person=person, reason=reason, request=request)
    return hits


def search_persons(user, *, rnokpp: str | None = None, document: str | None = None, q: str | None = None,
                   birth_date: date | None = None, limit: int = 20, offset: int = 0, national: bool = True,
                   request=None) -> list[Person]:
    """Persons matching the query, best first (see the module docstring for the policy).

    ``q`` may hold a РНОКПП or a document number too (the one search box). Side effect: an exact
    identifier hit outside the scope of a front-office specialist creates an audited ``PersonLink``.
    ``national=False`` keeps even exact lookups within the scope: live search-as-you-type passes through
    prefixes of a РНОКПП that look like an ID-card number, and must not link whoever holds that card.
    """
    if not rnokpp and not document:
        parsed = parse_query(q)
        if parsed.kind == "rnokpp":
            rnokpp = parsed.value
        elif parsed.kind == "document":
            document = parsed.value
    if rnokpp:
        hits = _by_identifier(user, Q(rnokpp=rnokpp.strip().replace(" ", "")), "rnokpp", request, national=national)
        return [p for p in hits if birth_date is None or p.birth_date == birth_date][offset:offset + limit]
    if document:
        lookups = document_lookups(document)
        if not lookups:
            return []
        cond = Q()
        for doc_type, number in lookups:
            cond |= Q(id_document_type=doc_type, id_document_number=number)
        hits = _by_identifier(user, cond, "document", request, national=national)
        return [p for p in hits if birth_date is None or p.birth_date == birth_date][offset:offset + limit]
    qs = _base(user)
    if birth_date is not None:
        qs = qs.filter(birth_date=birth_date)
    key = normalize_name(q)
    if not key:
        return list(qs.order_by("name_key", "birth_date", "pk")[offset:offset + limit])
    if birth_date is None:
        # The OR of the scope's parts would make the database read every person; each part narrowed by the
        # surname on its own index finds the few candidates, and the scope then applies to those only.
        prefilter = surname_prefilter(key.split()[0])
        candidates: set[int] = set()
        for part in scoping.person_scope_parts(user, access.scope_of(user)):
            candidates.update(Person.objects.filter(part, prefilter).values_list("pk", flat=True)[:MAX_RANKED])
        qs = qs.filter(pk__in=sorted(candidates))
    keys = qs.values_list("pk", "name_key")[:MAX_RANKED]
    # Namesakes share a name key (a common surname in a big hromada: thousands of rows, a few hundred keys):
    # each distinct key is scored once.
    score_of = functools.cache(functools.partial(name_score, key))
    ranked = sorted(((score, k, pk) for pk, k in keys if (score := score_of(k)) > 0),
                    key=lambda t: (-t[0], t[1], t[2]))
    page = [pk for _score, _k, pk in ranked[offset:offset + limit]]
    persons = Person.objects.select_related("settlement", "registered_hromada").in_bulk(page)
    return [persons[pk] for pk in page]


def get_person(user, person_id, *, request=None) -> Person:
    """One person's card (404 outside the user's scope); the read is audited."""
    person = access.get_visible(user, _base(user), pk=person_id)
    record(actor=user, action="person.view", obj=person, hromada_id=person.registered_hromada_id, request=request)
    return person


def household_of(user, person: Person) -> list[HouseholdMember]:
    """The person's household members (the person must already be visible to ``user``)."""
    if not access.can_see(user, person):
        return []
    return list(HouseholdMember.objects.filter(person=person)
                .select_related("member", "member__settlement", "member__registered_hromada")
                .order_by("member__birth_date", "pk"))


def member_of(person: Person) -> list[HouseholdMember]:
    """Households the person belongs to as a member (shown on the card as "член домогосподарства")."""
    return list(HouseholdMember.objects.filter(member=person).select_related("person").order_by("pk"))


def applications_of(user, person: Person):
    """The visible applications this person takes part in (newest first)."""
    return (access.visible(user, Application).filter(participants__person=person).distinct()
            .select_related("service").order_by("-pk"))
