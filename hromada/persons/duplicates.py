"""Finding a person who may already be in the registry, and tolerant name matching.

Duplicate detection looks across the whole country on purpose: a resident moves (IDPs above all) and
must not get a second record in the new hromada. What it reveals about another hromada's person is the
minimum needed to recognise them (name, birth date, masked РНОКПП, hromada); the specialist already
holds that person's name and birth date, and opens the record only through an exact identifier.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from django.db.models import Case, IntegerField, Q, Value, When

from hromada.core.text import normalize_name, pack_name_key

from .models import Person

# A name whose every word is at least this similar to the query is "likely the same" (one typo in a
# 6–9 letter surname scores 0.83–0.89).
SIMILAR = 0.8
# Prefix length of the surname used to pre-select candidates before ranking in Python.
PREFIX = 2
MAX_SAME_BIRTH_DATE = 2000


@dataclass(frozen=True)
class Candidate:
    person: Person
    match: str          # "rnokpp" | "document" | "name"

    def as_dict(self) -> dict:
        p = self.person
        return {"id": p.pk, "match": self.match, "name": p.full_name, "birth_date": p.birth_date.isoformat(),
                "rnokpp": p.masked_rnokpp, "hromada": p.registered_hromada.name if p.registered_hromada_id else ""}


def name_key(last_name: str, first_name: str, patronymic: str = "") -> str:
    return normalize_name(" ".join(p for p in (last_name, first_name, patronymic) if p))


def token_similarity(query: str, word: str) -> float:
    """How well one typed word matches one word of a name: a prefix counts fully (the specialist may
    type only the beginning); otherwise difflib's ratio against the whole word or its same-length prefix."""
    if not query or not word:
        return 0.0
    if len(query) >= 2 and word.startswith(query):
        return 1.0
    ratio = SequenceMatcher(None, query, word).ratio()
    if len(query) >= 4 and len(word) > len(query):
        ratio = max(ratio, SequenceMatcher(None, query, word[:len(query)]).ratio())
    return ratio


def name_score(query_key: str, candidate_key: str) -> float:
    """Mean best-word similarity of the query's words in the candidate's name; 0 if a word does not fit."""
    words = candidate_key.split()
    scores = []
    for token in query_key.split():
        # A word the token begins scores 1.0, the most any can: the others need no comparing (a surname's first
        # letters, the list's usual search, match hundreds of names; difflib on their other words was its cost).
        if len(token) >= 2 and any(w.startswith(token) for w in words):
            scores.append(1.0)
            continue
        best = max((token_similarity(token, w) for w in words), default=0.0)
        if best < SIMILAR:
            return 0.0
        scores.append(best)
    return sum(scores) / len(scores) if scores else 0.0


def surname_prefilter(surname_key: str) -> Q:
    """Cheap SQL pre-selection on ``name_key`` (indexed prefix) that still admits one typo: the first
    letters, or (for a typo among the first letters) a three-letter piece from the middle of the surname."""
    cond = Q(name_key__startswith=surname_key[:PREFIX])
    if len(surname_key) >= 5:
        cond |= Q(name_key__contains=surname_key[2:5])
    if len(surname_key) >= 4:
        cond |= Q(name_key__startswith=surname_key[0] + surname_key[2:4])   # a missing 2nd letter
    return cond


def _exact_q(*, rnokpp: str | None, id_document_type: str, id_document_number: str) -> Q | None:
    cond = Q()
    if rnokpp:
        cond |= Q(rnokpp=rnokpp)
    if id_document_type and id_document_number:
        cond |= Q(id_document_type=id_document_type, id_document_number=id_document_number)
    return cond or None


def _exact_candidates(persons, rnokpp: str | None) -> list[Candidate]:
    return [Candidate(p, "rnokpp" if rnokpp and p.rnokpp == rnokpp else "document") for p in persons]


def exact_matches(*, rnokpp: str | None, id_document_type: str, id_document_number: str,
                  exclude_pk: int | None = None) -> list[Candidate]:
    """Persons holding the same РНОКПП or the same identity document (anywhere in the country)."""
    cond = _exact_q(rnokpp=rnokpp, id_document_type=id_document_type, id_document_number=id_document_number)
    if cond is None:
        return []
    qs = Person.objects.filter(cond).select_related("registered_hromada")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return _exact_candidates(qs[:5], rnokpp)


def _similar_q(*, last_name: str, birth_date: date) -> Q:
    # Country-wide, about a thousand people share a birth date: pre-select by the surname (typo-tolerant).
    cond = Q(birth_date=birth_date)
    surname = normalize_name(last_name).split()
    if surname:
        cond &= surname_prefilter(surname[0])
    return cond


def _rank_similar(persons, *, last_name: str, first_name: str, patronymic: str, limit: int) -> list[Candidate]:
    query = name_key(last_name, first_name, patronymic)
    short = name_key(last_name, first_name)
    ranked = []
    for person in persons:
        # A patronymic missing on either side must not hide the match.
        score = max(name_score(query, person.name_key), name_score(short, person.name_key)
                    if not person.patronymic or not patronymic else 0.0)
        if score and _same_order(short, person.name_key):
            ranked.append((score, person))
    ranked.sort(key=lambda pair: (-pair[0], pack_name_key(pair[1].name_key)))   # ties in the lists' order
    return [Candidate(p, "name") for _, p in ranked[:limit]]


def similar_by_name(*, last_name: str, first_name: str, patronymic: str, birth_date: date,
                    exclude_pk: int | None = None, limit: int = 10) -> list[Candidate]:
    """Same birth date and a similar name (case, apostrophe variants, a typo; patronymic optional)."""
    qs = Person.objects.filter(_similar_q(last_name=last_name, birth_date=birth_date)).select_related(
        "registered_hromada")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return _rank_similar(qs[:MAX_SAME_BIRTH_DATE], last_name=last_name, first_name=first_name,
                         patronymic=patronymic, limit=limit)


def _same_order(query: str, key: str) -> bool:
    """The surname must resemble the surname (not, say, a first name equal to someone's surname)."""
    q_words, k_words = query.split(), key.split()
    return bool(q_words and k_words) and token_similarity(q_words[0], k_words[0]) >= SIMILAR


def find_duplicates(*, data: dict, exclude_pk: int | None = None) -> list[Candidate]:
    """Exact matches (РНОКПП, document) first, then likely ones by name and birth date; each person once.

    ``data`` holds the cleaned flat fields of ``validators.validate_person``. One query: both pre-selections
    (each on its own index), the exact matches ordered first.
    """
    rnokpp = data.get("rnokpp")
    document_type, document_number = data.get("id_document_type", ""), data.get("id_document_number", "")
    exact = _exact_q(rnokpp=rnokpp, id_document_type=document_type, id_document_number=document_number)
    if not (data.get("birth_date") and data.get("last_name")):
        return exact_matches(rnokpp=rnokpp, id_document_type=document_type, id_document_number=document_number,
                             exclude_pk=exclude_pk)
    similar = _similar_q(last_name=data["last_name"], birth_date=data["birth_date"])
    qs = Person.objects.select_related("registered_hromada")
    if exact is None:
        qs = qs.filter(similar).annotate(is_exact=Value(0, output_field=IntegerField()))
    else:
        qs = qs.filter(exact | similar).annotate(
            is_exact=Case(When(exact, then=Value(1)), default=Value(0), output_field=IntegerField()))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    rows = list(qs.order_by("-is_exact")[:5 + MAX_SAME_BIRTH_DATE])
    found = _exact_candidates([p for p in rows if p.is_exact][:5], rnokpp)
    return found + _rank_similar([p for p in rows if not p.is_exact], last_name=data["last_name"],
                                 first_name=data.get("first_name", ""), patronymic=data.get("patronymic", ""),
                                 limit=10)

