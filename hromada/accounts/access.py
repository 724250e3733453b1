"""The one permission layer: what a user may do (role) and which objects they may see (scope).

Views, API endpoints and selectors ask here; nothing else filters by territory or checks a role by hand.

The one outsider rule
=====================
What a user outside gets is decided here, once, in this order:

1. **Not signed in** — a page sends to the sign-in page (302), an API operation answers 401.
2. **A role that may never do this** (``PERMISSIONS`` below does not grant the action to the role) — 403
   (``Forbidden``), before the object is looked up and before the request body is read: the answer depends
   on the role only, so it tells nothing about any object.
3. **An object outside the user's scope** — 404 (``NotFound``), exactly as for an object that does not
   exist: another hromada's application, person or case is indistinguishable from a missing one.

The access matrix (tests/security/test_access_matrix.py) checks this rule for every URL and every API
operation and fails on a URL it does not know.

The one idiom
=============
* a page: ``@access.permission_required("action")`` — rules 1 and 2, and a ``NotFound``/``Forbidden`` raised
  by the view, its selectors or services becomes Django's 404/403 page (rule 3);
* an API operation: ``@access.api_permission("action")`` under the router's decorator — rule 2 after the
  router's authentication (rule 1) and before the body is parsed; the API maps ``NotFound`` to 404 itself;
* a page or operation for every signed-in user (own password, 2FA, tokens) uses ``account.self``; the home
  page (``core``, a floor below this one) is ``login_required``; public pages and operations (the status
  page, the catalogue, the codifier, sign-in) name no action.

Selectors and services take the requesting user and ask the same functions:

* ``may(user, action)`` — may this role perform the action at all?
* ``require(user, action)`` — raise ``Forbidden`` when the role may not act.
* ``visible(user, Model | QuerySet)`` — the objects of the user's scope (empty when the role may not
  view that kind of object at all). Apps declare once, with ``register``, how a model reaches its
  hromada.
* ``get_visible(user, Model, **lookup)`` — one object or ``NotFound``: another scope's object is
  indistinguishable from a missing one (404, never 403).
* ``scope_of(user)`` — the user's territory (``Scope``); its methods build the territory filters
  (``hromada_q``, ``hromada_units_q``, ``contains_area``, ``home``) so no selector branches on the scope's level;
  ``served_hromada_ids(user)`` lists the hromadas of a scope of hromadas (the filters' choices);
  ``own_provider_only(user)`` tells a provider's worker, who sees only its own provider's clients.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from hromada.core.compiled import CompiledCondition, Keyed, NotCompilable, compile_condition
from hromada.core.errors import Forbidden, NotFound
from hromada.core.registry import Slot

from .models import Role, User

# Who may ask: a signed-in user, or Django's anonymous one (who may nothing and sees nothing).
AnyUser = User | AnonymousUser


class UnitLike(Protocol):
    """A territorial unit (``territory.Unit``, a floor above: described, not imported)."""
    pk: Any
    oblast_id: int | None

R = Role
FRONT, BACK, HEAD, HADMIN, CHILD, OBLAST, MINISTRY, AUDITOR, SYSADMIN = (
    R.FRONT_SPECIALIST, R.BACK_SPECIALIST, R.BACK_HEAD, R.HROMADA_ADMIN, R.CHILD_SERVICE, R.OBLAST_MONITOR,
    R.MINISTRY, R.AUDITOR, R.SYSADMIN)
# Social services (Law «Про соціальні послуги»): the hromada's social-work specialist, and a provider's worker who
# sees only the clients of their own provider (the refine of SocialCase in SocialConfig.ready).
SOCIAL, PROVIDER = R.SOCIAL_WORKER, R.PROVIDER_WORKER

# Action → roles. Aggregate roles (oblast, ministry) see figures, not residents' files.
#
# The written rule for the hromada administrator (#16): the role exists for the hromada's figures, billing acts,
# onboarding and workplaces. It reads NO personal data — no person cards or searches, no applications (their
# participants, documents, scans, decisions). A future exception must be written here as an action granted to
# HADMIN, with its reason; ``FIGURES_ONLY`` lists the roles this rule covers and the tests hold every action that
# opens a resident's file away from them.
FIGURES_ONLY = frozenset({HADMIN, OBLAST, MINISTRY})
PERSONAL_DATA_ACTIONS = ("person.view", "person.register", "person.change", "person.lookup_by_identifier",
                         "application.view", "application.intake", "application.issue", "application.withdraw",
                         "application.take", "application.assign", "application.review", "childcase.view",
                         "childcase.change", "socialcase.view", "socialcase.intake", "socialcase.change",
                         "socialcase.deliver")
# Only actions somebody checks are listed (the catalogue and the codifier are public; offices are managed in the
# Django admin, which is ``admin.site``); tests/security/test_access_matrix.py fails on an action no page,
# operation, menu item or workflow transition names.
PERMISSIONS: dict[str, set[str]] = {
    "person.view": {FRONT, BACK, HEAD, SOCIAL},
    "person.register": {FRONT},
    "person.change": {FRONT},
    # Country-wide, and only with proof the resident is present (РНОКПП + document, or РНОКПП + name + birth
    # date): "взяти особу в роботу громади" (persons.services.take_person_into_work), audited and throttled.
    "person.lookup_by_identifier": {FRONT},
    "application.view": {FRONT, BACK, HEAD, CHILD, SOCIAL},  # CHILD: the requests sent to its service only;
    # SOCIAL: read-only, the family's benefit applications on the social case (case management)
    "application.intake": {FRONT},          # create, edit draft, attach documents, submit, resubmit
    "application.issue": {FRONT},           # hand the result to the resident
    "application.withdraw": {FRONT},
    "application.take": {BACK, HEAD, CHILD},  # the children's service decides children's-rights requests
    "application.assign": {HEAD},
    "application.review": {BACK, HEAD, CHILD},  # return for correction, decide
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
    # Social services: the front office registers the application (receipt, status code); the hromada's
    # social-work specialist assesses, decides, plans, refers and closes; the provider's worker logs deliveries for
    # its own clients. Raion, oblast and ministry see the figures in monitoring only.
    "socialcase.view": {SOCIAL, PROVIDER},
    "socialcase.intake": {FRONT, SOCIAL},
    "socialcase.change": {SOCIAL},
    "socialcase.deliver": {SOCIAL, PROVIDER},
    "socialprovider.view": set(Role),       # the register of providers: no personal data
    "socialprovider.manage": {SOCIAL},
    "audit.view": {AUDITOR, SYSADMIN},
    # The old and new values of personal data in the log (an earlier РНОКПП, a document number): the auditor who
    # investigates sees them; the system administrator sees that a field changed, masked.
    "audit.personal_values": {AUDITOR},
    # The resident's request under art. 8 of the Law «Про захист персональних даних» is answered at the desk.
    "person.access_report": {FRONT},
    "admin.site": {SYSADMIN},
    "account.self": set(Role),              # own password, 2FA, API tokens
    "ops.view": {SYSADMIN},               # readiness and failed tasks (hromada.ops)
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

    def hromada_units_q(self) -> Q:
        """Q over territorial units that keeps the hromadas of this scope themselves (rows of ``Unit``)."""
        if self.level == "oblast":
            return Q(oblast_id=self.oblast_id)
        return self.hromada_q("pk")

    def contains_area(self, level: str, unit: UnitLike | None) -> bool:
        """May a dashboard of ``unit`` (an "oblast", "raion" or "hromada") be shown in this scope? A scope of
        hromadas sees its hromadas only, never the raion or oblast around them; the "country" (no unit) only a
        country-wide scope."""
        if level == "country":
            return self.level == "country"
        if self.level == "country":
            return True
        if unit is None:
            return False
        if self.level == "oblast":
            return (unit.pk if level == "oblast" else unit.oblast_id) == self.oblast_id
        if self.level == "hromadas":
            return level == "hromada" and unit.pk in self.hromada_ids
        return False

    def contains_hromada(self, hromada: UnitLike | None) -> bool:
        if self.level == "country":
            return True
        if hromada is None:       # an office of no hromada: only a country-wide scope reaches it
            return False
        if self.level == "oblast":
            return hromada.oblast_id == self.oblast_id
        return hromada.pk in self.hromada_ids

    def home(self) -> tuple[str, int | None]:
        """Where this scope's dashboard starts: ("country", None), ("oblast", its id), ("hromada", its id), or
        ("served", None) for several hromadas (those a back office serves); ("", None) without a scope."""
        if self.level == "country":
            return "country", None
        if self.level == "oblast":
            return "oblast", self.oblast_id
        if self.level == "hromadas" and len(self.hromada_ids) == 1:
            return "hromada", next(iter(self.hromada_ids))
        if self.level == "hromadas" and self.hromada_ids:
            return "served", None
        return "", None

    def listed_hromada_ids(self) -> list[int]:
        """The hromadas this scope names one by one (a scope of hromadas), in id order; none for a country or an
        oblast scope, which are not lists of hromadas."""
        return sorted(self.hromada_ids) if self.level == "hromadas" else []


NO_SCOPE = Scope("none")

# Reference data (territory, offices) sits on the floor above the access layer: it provides at start-up
# (TerritoryConfig.ready, OfficesConfig.ready) how a territorial unit or an office reaches its hromadas, so this
# module never imports it.
territory_level = Slot("territory_level")        # (unit) -> "oblast" | "raion" | "hromada" | ""
raion_hromada_ids = Slot("raion_hromada_ids")    # (raion unit) -> ids of its hromadas
hromadas_served_by = Slot("hromadas_served_by")  # (back office) -> ids of the hromadas whose cases it processes
oblast_unit_ids = Slot("oblast_unit_ids")        # (oblast id) -> ids of the units in it (a subquery)
unit_id_of_code = Slot("unit_id_of_code")        # (КАТОТТГ code) -> id of that unit, or None


def scope_of(user: AnyUser) -> Scope:
    """The user's scope, computed once per user object (request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_hromada_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._hromada_scope = scope  # type: ignore[attr-defined]  # cached on the request's user object
    return scope


def _compute_scope(user: User) -> Scope:
    role = user.role
    if role in (MINISTRY, AUDITOR, SYSADMIN):
        return Scope("country")
    if role == FRONT and user.office_id and user.office.hromada_id:
        return Scope("hromadas", frozenset({user.office.hromada_id}))
    if role in (BACK, HEAD) and user.office_id:
        return Scope("hromadas", frozenset(hromadas_served_by(user.office)))
    territory = user.territory
    if territory is None:
        return NO_SCOPE
    level = territory_level(territory)
    if role == OBLAST and level == "oblast":
        return Scope("oblast", oblast_id=territory.pk)
    if role in (HADMIN, CHILD, SOCIAL, PROVIDER):
        if level == "hromada":
            return Scope("hromadas", frozenset({territory.pk}))
        if role == CHILD and level == "raion":
            return Scope("hromadas", frozenset(raion_hromada_ids(territory)))
    return NO_SCOPE


def may(user: AnyUser, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in PERMISSIONS.get(action, ())


def _known(actions: tuple[str, ...]) -> tuple[str, ...]:
    if not actions:
        raise ValueError("name at least one action")
    unknown = [a for a in actions if a not in PERMISSIONS]
    if unknown:
        raise KeyError(f"unknown action(s) {unknown!r}")
    return actions


def require(user: AnyUser, action: str, *alternatives: str) -> None:
    """``Forbidden`` unless the role may perform ``action`` (or one of the ``alternatives``)."""
    actions = _known((action, *alternatives))
    if not any(may(user, a) for a in actions):
        raise Forbidden()


View = TypeVar("View", bound=Callable[..., Any])


def permission_required(action: str, *alternatives: str) -> Callable[[View], View]:
    """The one page decorator (see "The one outsider rule" above): anonymous → the sign-in page; a role
    without ``action`` (nor any of ``alternatives``) → 403 before the view runs; ``NotFound`` from the view,
    its selectors or services → 404, ``Forbidden`` → 403. The actions stay readable on the view
    (``access_actions``) for the access matrix."""
    actions = _known((action, *alternatives))

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(may(request.user, a) for a in actions):
                raise PermissionDenied(str(Forbidden.default_message))
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(str(exc.message)) from None
            except Forbidden as exc:
                raise PermissionDenied(str(exc.message)) from None
        checked = login_required(wrapper)
        checked.access_actions = actions  # type: ignore[attr-defined]
        return cast(View, checked)
    return decorator


def api_permission(action: str, *alternatives: str, refusal: Forbidden | None = None) -> Callable[[View], View]:
    """The one API dependency, written under the router's decorator::

        @router.post("/tariffs", ...)
        @access.api_permission("billing.tariffs")
        def set_tariff(request, payload: TariffIn): ...

    The API root (``core.api.HromadaAPI``) checks it right after the router's authentication (so anonymous →
    401 first) and before the path, query and body are parsed: a role without the action gets 403 whatever it
    sent (never a 422 that would tell the endpoint's shape). Scope is the handler's business
    (``get_visible`` → 404). ``refusal``: the 403 an operation's contract words its own way (its code)."""
    actions = _known((action, *alternatives))

    def decorator(func: View) -> View:
        func.access_actions = actions  # type: ignore[attr-defined]
        func.access_refusal = refusal  # type: ignore[attr-defined]
        return func
    return decorator


@dataclass(frozen=True)
class Rule:
    view_action: str
    path: str | None = None                                   # FK path to the hromada Unit
    q: Callable[[User, Scope], Q] | None = None              # custom scope filter
    refine: Callable[[User, QuerySet], QuerySet] | None = None  # role-specific narrowing
    # Everything of the user ``q`` depends on: with it, ``q`` is compiled once per key (``core.compiled``).
    key: Callable[[User, Scope], Hashable] | None = None


_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], *, view_action: str, path: str | None = None,
             q: Callable[[User, Scope], Q] | None = None,
             refine: Callable[[User, QuerySet], QuerySet] | None = None,
             key: Callable[[User, Scope], Hashable] | None = None) -> None:
    """Declare how ``model`` is scoped. Called from each app's AppConfig.ready().

    ``key`` (with ``q``): the user's attributes ``q`` depends on, beside the scope. ``q`` is then compiled to SQL
    once per process for each key and database and applied as it is (``core.compiled.CompiledCondition``): ``q`` must
    depend on nothing else, hold no rows and correlate no subquery with the row; a key whose ``q`` joins another
    table is built per request. For a rule read on every request of a busy list, whose compilation costs more than
    the database's answer."""
    if (path is None) == (q is None):
        raise ValueError("give exactly one of path= or q=")
    if key is not None and q is None:
        raise ValueError("key= compiles a q= rule")
    _RULES[model] = Rule(view_action=view_action, path=path, q=q, refine=refine, key=key)


def rule_for(model: type[Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with the access layer") from None


def visible(user: AnyUser, model_or_qs: type[Model] | QuerySet) -> QuerySet:
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    rule = rule_for(qs.model)
    if not may(user, rule.view_action):
        return qs.none()
    scope = scope_of(user)
    member = cast(User, user)   # may() above: a signed-in, active user
    if rule.q is not None and rule.key is not None:
        condition = _compiled_rule(Keyed((qs.model, rule.key(member, scope)), qs.model, rule, member, scope), qs.db)
        if condition is UNCOMPILABLE:
            qs = qs.filter(cast(Callable[[User, Scope], Q], rule.q)(member, scope))
        elif condition is not None:
            qs = qs.filter(condition)
    else:
        # register() guarantees a path whenever there is no q.
        qs = qs.filter(rule.q(member, scope) if rule.q else scope.hromada_q(cast(str, rule.path)))
    if rule.refine is not None:
        qs = rule.refine(member, qs)
    return qs


def visible_key(user: AnyUser, model: type[Model], using: str) -> Hashable | None:
    """What ``visible(user, model)`` on the database ``using`` depends on, where it is the same query for every user
    with the same key — the key a cache of a statement built on it may use (``core.compiled.CompiledSelect``). None
    where the query is built for the user alone — a rule without a key, one that cannot be compiled (an oblast's
    scope), one a ``refine`` narrows — and where the user may not read the model at all (nothing to cache)."""
    rule = rule_for(model)
    if rule.q is None or rule.key is None or rule.refine is not None or not may(user, rule.view_action):
        return None
    member, scope = cast(User, user), scope_of(user)
    keyed = Keyed((model, rule.key(member, scope)), model, rule, member, scope)
    if _compiled_rule(keyed, using) is UNCOMPILABLE:
        return None
    return (keyed.key, using)


UNCOMPILABLE = object()


@functools.lru_cache(maxsize=4096)
def _compiled_rule(keyed: Keyed, using: str) -> CompiledCondition | object | None:
    """A keyed rule (``register(key=…)``) compiled for one model and key: the cache keeps the key, never the user.
    ``UNCOMPILABLE`` where the key's rule reads another table by a join (an oblast's scope: the hromada's oblast), which
    a compiled condition cannot carry: that rule is built per request, as an unkeyed one."""
    model, rule, user, scope = keyed.take()
    try:
        return compile_condition(model, rule.q(user, scope), using)
    except NotCompilable:
        return UNCOMPILABLE


def get_visible(user: AnyUser, model_or_qs: type[Model] | QuerySet, **lookup: Any) -> Any:
    """The object if it exists *and* is in the user's scope; otherwise NotFound (404)."""
    try:
        return visible(user, model_or_qs).get(**lookup)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValidationError, ValueError, TypeError):
        # Malformed ids are "not found" too: probing must not tell anything apart.
        raise NotFound() from None


def can_see(user: AnyUser, obj: Model) -> bool:
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def hromada_in_scope(user: AnyUser, hromada: UnitLike | None) -> bool:
    return scope_of(user).contains_hromada(hromada)


def own_provider_only(user: AnyUser) -> bool:
    """A social-services provider's worker: of the social cases in its hromada it sees only its own provider's
    clients and logs deliveries only for its provider's services (the social app narrows by the provider: the
    ``refine`` it registers for SocialCase)."""
    return getattr(user, "role", None) == PROVIDER


def served_hromada_ids(user: AnyUser) -> list[int]:
    """The hromadas the user works for, one by one: a back office's served hromadas, a hromada role's own hromada,
    a raion children's service's hromadas; empty for a country-wide or an oblast scope (the queue's and the
    children's service's hromada filters offer these)."""
    return scope_of(user).listed_hromada_ids()
