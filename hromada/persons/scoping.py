"""Which persons a user sees (registered with ``access.register`` in PersonsConfig.ready):

* registered by a front office of a hromada in the user's scope, or
* linked to such a hromada (``PersonLink``: found there at the desk by an exact РНОКПП or document), or
* taking part in an application the user can see (a back office sees the applicants of its cases).

Children of child-protection cases are the exception: outside the children's service they are found only
through an application the user can see (their parents are ordinary residents and stay visible).
"""
from django.db.models import Q

from hromada.core.registry import Slot

# Applications and children's cases sit on the floor above persons: they provide at start-up (their
# AppConfig.ready) how a user reaches persons through them, so this module never imports them.
case_person_ids = Slot("persons.case_person_ids")    # (user) -> ids of persons in the applications the user sees
child_person_ids = Slot("persons.child_person_ids")  # () -> ids of the children of child-protection cases
# (user) -> the persons of ``case_person_ids`` the home part may not show (registered outside the user's hromadas);
# may hold more, never fewer.
case_person_ids_beyond_home = Slot("persons.case_person_ids_beyond_home")

def person_scope_parts(user, scope) -> tuple[Q, Q, Q]:
    """The three ways into the scope: home hromada, link to it, an application the user can see.

    Every part is selective on its own (an index each), unlike their OR: a search may narrow each part first and
    then apply ``person_scope_q`` to the few persons found (see ``selectors.search_persons``)."""
    from .models import PersonLink

    in_cases = case_person_ids(user)
    linked = PersonLink.objects.filter(scope.hromada_q("hromada")).values("person_id")
    return scope.hromada_q("registered_hromada"), Q(pk__in=linked), Q(pk__in=in_cases)


def _children_hidden(user) -> bool:
    """Children of protection cases are found through the home parts only by the children's service."""
    from hromada.accounts import access

    return not access.may(user, "childcase.view")


def person_scope_q(user, scope) -> Q:
    registered, linked, in_cases = person_scope_parts(user, scope)
    home = registered | linked
    if _children_hidden(user):
        home &= ~Q(pk__in=child_person_ids())
    return home | in_cases


def person_scope_cover(user, scope) -> list[Q]:
    """The scope (``person_scope_q``) as parts whose UNION is exactly its persons, each narrow on an index: the home
    part (on ``person_home_raion``), the links, and of the case part only what the home part does not hold already
    — persons from elsewhere (``PersonAccess.home``; a case of the hromada is mostly its own residents') and, where
    children are hidden from the home part, the children taking part in a case. So a count or a search reads a few
    rows for the case part instead of every participant of the hromada's cases.

    Why the UNION is the scope: a case's person either is registered in a hromada of the scope — then the home part
    holds her unless she is a hidden child, whom the last part brings back — or is from elsewhere and among the
    persons beyond home."""
    registered, linked, in_cases = person_scope_parts(user, scope)
    beyond = Q(pk__in=case_person_ids_beyond_home(user))
    if not _children_hidden(user):
        return [registered, linked, beyond]
    children = Q(pk__in=child_person_ids())
    return [registered & ~children, linked & ~children, beyond, in_cases & children]


def person_scope_count(user, scope, cond: Q) -> int:
    """``visible(user, Person).filter(cond).count()`` counted part by part of ``person_scope_cover``, each narrowed by
    ``cond`` on its own index: the OR of ``person_scope_q`` makes the database test every person of the country (a
    district's residents counted in 120 ms at 800 thousand persons; 30 ms as a UNION of the three ways in; 15 → ~2
    ms at a million applications once the case part is only the persons from elsewhere and the home part is counted
    from its index).

    |home ∪ rest| = |home| + |rest − home|: the home part (a hromada's residents, thousands) is counted from its index
    alone, and only the few persons of the other parts are compared with it — a UNION of all of them hashed every
    resident to drop duplicates that the other parts hardly ever hold."""
    from .models import Person

    home, *rest = person_scope_cover(user, scope)
    total = Person.objects.filter(home, cond).count()
    if rest and home:   # an empty home condition (a country's scope) is everyone: the rest adds nobody
        first, *others = (Person.objects.filter(part, cond).exclude(home).order_by().values("pk") for part in rest)
        total += first.union(*others).count() if others else first.count()
    return total
