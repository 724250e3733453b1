"""Which persons a user sees (registered with ``access.register`` in PersonsConfig.ready):

* registered by a front office of a hromada in the user's scope, or
* linked to such a hromada (``PersonLink``: found there at the desk by an exact РНОКПП or document), or
* taking part in an application the user can see (a back office sees the applicants of its cases).

Children of child-protection cases are the exception: outside the children's service they are found only
through an application the user can see (their parents are ordinary residents and stay visible). Which persons they
are is the person's own flag (``Person.in_child_case``), which the children's services set.

The rule, with every provider of its parts — and the applications' own rule, which a back office's case part
applies (``access.visible(user, Application)``) —, is a function of ``rule_key`` alone (the user's role, whether
active, office and scope) and embeds no rows (its subqueries are read when the statement runs). The rule is
compiled once per process for each key (``access.register(key=…)``), a list's total for each key and place
(``person_scope_count_sql``). A provider that reads anything else of the user adds it to ``rule_key``
(``tests/test_scope_count_sql.py`` compares the SQL of users with like keys).
"""
import functools

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet

from hromada.core.compiled import Keyed
from hromada.core.registry import Slot

# Applications and children's cases sit on the floor above persons: they provide at start-up (their
# AppConfig.ready) how a user reaches persons through them, so this module never imports them.
# (user) -> ids of the persons in the applications the user sees that the home part does not show her: registered
# outside the case's hromada, or children of protection cases hidden from her home part; may hold more, never fewer.
case_person_ids = Slot("persons.case_person_ids")
# (user) -> of those, the persons registered outside the case's hromada (the children come by a part of their own).
case_person_ids_beyond_home = Slot("persons.case_person_ids_beyond_home")

def person_scope_parts(user, scope) -> tuple[Q, Q, Q]:
    """The three ways into the scope: home hromada, link to it, an application the user can see (of its persons,
    those the home part does not show: ``case_person_ids``).

    Every part is selective on its own (an index each), unlike their OR: a search may narrow each part first and
    then apply ``person_scope_q`` to the few persons found (see ``selectors.search_persons``)."""
    from .models import PersonLink

    in_cases = case_person_ids(user)
    linked = PersonLink.objects.filter(scope.hromada_q("hromada")).values("person_id")
    return scope.hromada_q("registered_hromada"), Q(pk__in=linked), Q(pk__in=in_cases)


# The children of child-protection cases (``Person.in_child_case``, kept by the children's services). A column of the
# person: ``id NOT IN (every case's child)`` made PostgreSQL hash every child case of the country on each lookup and
# list (91 ms for a РНОКПП lookup with 100 thousand cases, #24), and a per-person EXISTS was hashed the same way
# wherever the planner expected many persons (a village's first page: 42 ms).
CHILDREN = Q(in_child_case=True)


def children_hidden(user) -> bool:
    """Children of protection cases are found through the home parts only by the children's service."""
    from hromada.accounts import access

    return not access.may(user, "childcase.view")


def person_scope_q(user, scope) -> Q:
    registered, linked, in_cases = person_scope_parts(user, scope)
    home = registered | linked
    if children_hidden(user):
        home &= ~CHILDREN
    return home | in_cases


def person_scope_cover(user, scope) -> list[Q]:
    """The scope (``person_scope_q``) as parts whose UNION is exactly its persons, each narrow on an index: the home
    part (on ``person_home_place``), the links, and of the case part only what the home part does not hold already
    — persons from elsewhere (``PersonAccess``; a case of the hromada is mostly its own residents') and, where
    children are hidden from the home part, the children taking part in a case. So a count or a search reads a few
    rows for the case part instead of every participant of the hromada's cases.

    Why the UNION is the scope: a case's person either is registered in a hromada of the scope — then the home part
    holds her unless she is a hidden child, whom the last part brings back — or is from elsewhere and among the
    persons beyond home."""
    registered, linked, in_cases = person_scope_parts(user, scope)
    beyond = Q(pk__in=case_person_ids_beyond_home(user))
    if not children_hidden(user):
        return [registered, linked, beyond]
    return [registered & ~CHILDREN, linked & ~CHILDREN, beyond, in_cases & CHILDREN]


def person_scope_count(user, scope, cond: Q, *, using: str = "default") -> int:
    """``visible(user, Person).filter(cond).count()`` counted part by part of ``person_scope_cover``, in one statement
    (``person_scope_count_sql``)."""
    sql, params = person_scope_count_sql(user, scope, cond, using=using)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return cursor.fetchone()[0]


def rule_key(user, scope) -> tuple:
    """Everything of the user the rule (``person_scope_q``, ``person_scope_cover``) depends on: ``access.may`` reads
    the role and whether the user is active, a back office's case part its office, every other part the scope."""
    return (user.role, user.is_active, user.office_id, scope)


def person_scope_count_sql(user, scope, cond: Q, *, using: str = "default") -> tuple[str, list]:
    """``person_scope_count`` as one SQL expression (parenthesised, with its parameters): a statement of its own, or
    a column of the list's page (``selectors.search_page``), so the page and its total take one round trip.

    Compiled once per process for each ``rule_key``, place (``cond``) and database: building and compiling the
    cover's parts took more of a village's list than the database did (2.5 of 4.7 ms at 5 M applications, #24).
    The SQL holds no rows, so what it counts is always the current data.

    Counted part by part of ``person_scope_cover``, each narrowed by ``cond`` on its own index: the OR of
    ``person_scope_q`` makes the database test every person of the country (a district's residents counted in
    120 ms at 800 thousand persons; 30 ms as a UNION of the three ways in; 15 → ~2 ms at a million applications once
    the case part is only the persons from elsewhere and the home part is counted from its index).

    |home ∪ rest| = |home| + |rest − home|: the home part (a hromada's residents, thousands) is counted from its index
    alone, and only the few persons of the other parts are compared with it — a UNION of all of them hashed every
    resident to drop duplicates that the other parts hardly ever hold."""
    sql, params = _compiled_count(Keyed(rule_key(user, scope), user, scope), cond, using)
    return sql, list(params)


@functools.lru_cache(maxsize=2048)
def _compiled_count(keyed: Keyed, cond: Q, using: str) -> tuple[str, tuple]:
    from .models import Person

    user, scope = keyed.take()     # the cache keeps the key, not the first user who asked
    from hromada.accounts import access

    if scope != access.scope_of(user):   # the providers read the user's own scope: the key must be that one
        raise ValueError("person_scope_count_sql is given the user's own scope")
    home, *rest = person_scope_cover(user, scope)
    counts = [_count_sql(Person.objects.filter(home, cond).order_by().values("pk"), using)]
    if rest and home:   # an empty home condition (a country's scope) is everyone: the rest adds nobody
        first, *others = (Person.objects.filter(part, cond).exclude(home).order_by().values("pk") for part in rest)
        counts.append(_count_sql(first.union(*others) if others else first, using))
    return "(" + " + ".join(sql for sql, _params in counts) + ")", tuple(p for _sql, params in counts for p in params)


def _count_sql(qs: QuerySet, using: str) -> tuple[str, list]:
    """``(SELECT COUNT(*) FROM (<qs>))``; ``0`` for a queryset that can match nothing (an empty scope)."""
    try:
        sql, params = qs.query.get_compiler(using=using).as_sql()
    except EmptyResultSet:
        return "0", []
    # The inner SQL is Django's own compilation of a queryset; every value stays a parameter.
    return f"(SELECT COUNT(*) FROM ({sql}) counted)", list(params)  # noqa: S608
