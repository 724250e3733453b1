"""Which persons a user sees (registered with ``access.register`` in PersonsConfig.ready):

* registered by a front office of a hromada in the user's scope, or
* linked to such a hromada (``PersonLink``: found there at the desk by an exact РНОКПП or document), or
* taking part in an application the user can see (a back office sees the applicants of its cases).

Children of child-protection cases are the exception: outside the children's service they are found only
through an application the user can see (their parents are ordinary residents and stay visible).
"""
from django.db.models import Q


def person_scope_parts(user, scope) -> tuple[Q, Q, Q]:
    """The three ways into the scope: home hromada, link to it, an application the user can see.

    Every part is selective on its own (an index each), unlike their OR: a search may narrow each part first and
    then apply ``person_scope_q`` to the few persons found (see ``selectors.search_persons``)."""
    from hromada.accounts import access
    from hromada.applications.models import Application, Participant

    from .models import PersonLink

    cases = access.visible(user, Application).values("pk")
    in_cases = Participant.objects.filter(application__in=cases).values("person_id")
    linked = PersonLink.objects.filter(scope.hromada_q("hromada")).values("person_id")
    return scope.hromada_q("registered_hromada"), Q(pk__in=linked), Q(pk__in=in_cases)


def person_scope_q(user, scope) -> Q:
    from hromada.accounts import access
    from hromada.children.selectors import child_person_ids

    registered, linked, in_cases = person_scope_parts(user, scope)
    home = registered | linked
    if not access.may(user, "childcase.view"):
        home &= ~Q(pk__in=child_person_ids())
    return home | in_cases
