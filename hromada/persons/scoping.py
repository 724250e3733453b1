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


def person_scope_count(user, scope, cond: Q) -> int:
    """``visible(user, Person).filter(cond).count()`` counted as the UNION of the scope's parts, each narrowed by
    ``cond`` on its own index: the OR of ``person_scope_q`` makes the database test every person of the country
    (a district's residents counted in 120 ms at 800 thousand persons; 30 ms this way)."""
    from .models import Person

    registered, linked, in_cases = person_scope_parts(user, scope)
    hidden_children = _children_hidden(user)
    parts = []
    for home in (registered, linked):
        qs = Person.objects.filter(home, cond)
        parts.append((qs.exclude(pk__in=child_person_ids()) if hidden_children else qs).order_by().values("pk"))
    parts.append(Person.objects.filter(in_cases, cond).order_by().values("pk"))
    return parts[0].union(*parts[1:]).count()
