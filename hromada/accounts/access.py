"""The one permission layer: what a user may do (role) and which objects they may see (scope).

Views, API endpoints and selectors ask here; nothing else filters by territory by hand.

* ``may(user, action)`` — may this role perform the action at all?
* ``visible(user, Model | QuerySet)`` — the objects of the user's scope (empty when the role may not
  view that kind of object at all). Apps declare once, with ``register``, how a model reaches its
  hromada.
* ``get_visible(user, Model, **lookup)`` — one object or ``NotFound``: another scope's object is
  indistinguishable from a missing one (404, never 403).
* ``require(user, action)`` — raise ``Forbidden`` when the role may not act.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet

from hromada.core.errors import Forbidden, NotFound

from .models import Role

R = Role
FRONT, BACK, HEAD, HADMIN, CHILD, OBLAST, MINISTRY, AUDITOR, SYSADMIN = (
    R.FRONT_SPECIALIST, R.BACK_SPECIALIST, R.BACK_HEAD, R.HROMADA_ADMIN, R.CHILD_SERVICE, R.OBLAST_MONITOR,
    R.MINISTRY, R.AUDITOR, R.SYSADMIN)

# Action → roles. Aggregate roles (oblast, ministry) see figures, not residents' files.
PERMISSIONS: dict[str, set[str]] = {
    "catalog.view": set(Role),
    "territory.view": set(Role),
    "person.view": {FRONT, BACK, HEAD, HADMIN},
    "person.register": {FRONT},
    "person.change": {FRONT},
    "person.lookup_by_identifier": {FRONT},  # exact РНОКПП/document shown at the desk: country-wide, links
    "application.view": {FRONT, BACK, HEAD, HADMIN},
    "application.intake": {FRONT},          # create, edit draft, attach documents, submit, resubmit
    "application.issue": {FRONT},           # hand the result to the resident
    "application.withdraw": {FRONT},
    "application.take": {BACK, HEAD},
    "application.assign": {HEAD},
    "application.review": {BACK, HEAD},     # return for correction, decide
    "billing.view": {MINISTRY, HADMIN, OBLAST},
    "billing.run": {MINISTRY},
    "billing.tariffs": {MINISTRY},
    "monitoring.view": {MINISTRY, OBLAST, HADMIN, HEAD},
    "onboarding.record": {MINISTRY, OBLAST, HADMIN},
    "workplace.record": {MINISTRY, OBLAST, HADMIN},
    "workplace.plan": {MINISTRY},
    "monitoring.refresh": {MINISTRY},
    "childcase.view": {CHILD},
    "childcase.change": {CHILD},
    "audit.view": {AUDITOR, SYSADMIN},
    "admin.site": {SYSADMIN},
    "account.self": set(Role),              # own password, 2FA, API tokens
    "ops.view": {SYSADMIN},               # readiness and failed tasks (hromada.ops)
    "offices.manage": {SYSADMIN, MINISTRY},
}


@dataclass(frozen=True)
class Scope:
    """Where a user may look: every hromada (country), one oblast, or a set of hromadas."""
    level: str                       # "country" | "oblast" | "hromadas" | "none"
    hromada_ids: frozenset[int] = frozenset()
    oblast_id: int | None = None

    def hromada_q(self, path: str) -> Q:
        """Q that keeps rows whose ``path`` (a FK to the hromada Unit) lies in this scope."""
        if self.level == "country":
            return Q()
        if self.level == "oblast":
            return Q(**{f"{path}__oblast_id": self.oblast_id})
        if self.level == "hromadas" and self.hromada_ids:
            return Q(**{f"{path}__in": sorted(self.hromada_ids)})
        return Q(pk__in=[])

    def contains_hromada(self, hromada) -> bool:
        if self.level == "country":
            return True
        if self.level == "oblast":
            return hromada.oblast_id == self.oblast_id
        return hromada.pk in self.hromada_ids


NO_SCOPE = Scope("none")


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_hromada_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._hromada_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    from hromada.offices.selectors import hromada_ids_served_by
    from hromada.territory.models import Category, Unit

    role = user.role
    if role in (MINISTRY, AUDITOR, SYSADMIN):
        return Scope("country")
    if role == FRONT and user.office_id and user.office.hromada_id:
        return Scope("hromadas", frozenset({user.office.hromada_id}))
    if role in (BACK, HEAD) and user.office_id:
        return Scope("hromadas", frozenset(hromada_ids_served_by(user.office)))
    territory = user.territory
    if territory is None:
        return NO_SCOPE
    if role == OBLAST and territory.category in (Category.OBLAST, Category.SPECIAL_CITY):
        return Scope("oblast", oblast_id=territory.pk)
    if role in (HADMIN, CHILD):
        if territory.category == Category.HROMADA:
            return Scope("hromadas", frozenset({territory.pk}))
        if role == CHILD and territory.category == Category.RAION:
            ids = Unit.objects.filter(category=Category.HROMADA, raion=territory).values_list("id", flat=True)
            return Scope("hromadas", frozenset(ids))
    return NO_SCOPE


def may(user, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in PERMISSIONS.get(action, ())


def require(user, action: str) -> None:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    if not may(user, action):
        raise Forbidden()


@dataclass(frozen=True)
class Rule:
    view_action: str
    path: str | None = None                                   # FK path to the hromada Unit
    q: Callable[[object, Scope], Q] | None = None              # custom scope filter
    refine: Callable[[object, QuerySet], QuerySet] | None = None  # role-specific narrowing


_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], *, view_action: str, path: str | None = None,
             q: Callable[[object, Scope], Q] | None = None,
             refine: Callable[[object, QuerySet], QuerySet] | None = None) -> None:
    """Declare how ``model`` is scoped. Called from each app's AppConfig.ready()."""
    if (path is None) == (q is None):
        raise ValueError("give exactly one of path= or q=")
    _RULES[model] = Rule(view_action=view_action, path=path, q=q, refine=refine)


def rule_for(model: type[Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with the access layer") from None


def visible(user, model_or_qs) -> QuerySet:
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    rule = rule_for(qs.model)
    if not may(user, rule.view_action):
        return qs.none()
    scope = scope_of(user)
    qs = qs.filter(rule.q(user, scope) if rule.q else scope.hromada_q(rule.path))
    if rule.refine is not None:
        qs = rule.refine(user, qs)
    return qs


def get_visible(user, model_or_qs, **lookup):
    """The object if it exists *and* is in the user's scope; otherwise NotFound (404)."""
    try:
        return visible(user, model_or_qs).get(**lookup)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValidationError, ValueError, TypeError):
        # Malformed ids are "not found" too: probing must not tell anything apart.
        raise NotFound() from None


def can_see(user, obj) -> bool:
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def hromada_in_scope(user, hromada) -> bool:
    return scope_of(user).contains_hromada(hromada)
