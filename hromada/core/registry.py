"""Slots a higher floor fills at start-up so that a lower floor can call it without importing it.

The house has floors (docs/architecture.md, ``[tool.importlinter]`` in pyproject.toml): a lower app never imports a
higher one. Where a lower floor must still ask a higher one — core's menu asks the access layer what a role may
do — the lower floor declares a ``Slot`` and the higher app provides the function in its ``AppConfig.ready()``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Slot:
    """One function provided by a higher app. Calling an empty slot is a configuration error, never a silent
    default: a missing provider would otherwise quietly allow or hide things."""

    def __init__(self, name: str):
        self.name = name
        self._fn: Callable[..., Any] | None = None

    def provide(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self._fn = fn
        return fn

    @property
    def provided(self) -> bool:
        return self._fn is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._fn is None:
            raise ImproperlyConfigured(f"nothing provides {self.name!r}: is the app that provides it installed?")
        return self._fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Slot {self.name}>"


class Hooks:
    """Many functions, each provided by one app under its own name (a lower floor or ops walks them all)."""

    def __init__(self, name: str):
        self.name = name
        self._fns: dict[str, Callable[..., Any]] = {}

    def provide(self, key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        self._fns[key] = fn
        return fn

    def items(self) -> list[tuple[str, Callable[..., Any]]]:
        return sorted(self._fns.items())

    def __repr__(self) -> str:
        return f"<Hooks {self.name}: {', '.join(self._fns)}>"


# Work a committed request queues after commit and the broker may never have got (it was down): each app provides
# ``(older_than: datetime) -> int``, queueing again its work still waiting since before ``older_than`` (the task
# must be idempotent); ``hromada.ops.tasks.queue_stranded_work`` calls them all from beat.
stranded_work = Hooks("stranded_work")


# Provided by hromada.accounts (AccountsConfig.ready): the access layer and API tokens.
may = Slot("may")                        # may(user, action) -> bool
scope_of = Slot("scope_of")              # scope_of(user) -> accounts.access.Scope
user_for_token = Slot("user_for_token")  # user_for_token(token) -> User | None
get_visible = Slot("get_visible")        # get_visible(user, model, **lookup) -> the object, or NotFound
require = Slot("require")                # require(user, action) -> None, or Forbidden
