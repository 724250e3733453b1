"""Who may read which entries of the log: the access layer's rule for rows (``scope_q``, registered in
``AuditConfig.ready``), and the same rule for packed entries, which are filtered after they are unpacked
(``scope_hromadas``)."""
from __future__ import annotations

from django.db.models import Q

from hromada.accounts.access import Scope, oblast_unit_ids, scope_of


def scope_q(user, scope: Scope) -> Q:
    if scope.level == "country":
        return Q()
    if scope.level == "oblast":
        return Q(hromada_id__in=oblast_unit_ids(scope.oblast_id))
    return Q(hromada_id__in=sorted(scope.hromada_ids))


def scope_hromadas(user) -> frozenset[int] | None:
    """The hromadas whose entries the user may read; None: every entry (a country-wide scope)."""
    scope = scope_of(user)
    if scope.level == "country":
        return None
    if scope.level == "oblast":
        return frozenset(row["id"] for row in oblast_unit_ids(scope.oblast_id))   # the slot gives .values("id")
    return frozenset(scope.hromada_ids)
