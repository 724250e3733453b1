"""The one workflow engine of Hromada's explicit state machines (applications, children's cases).

Each workflow declares only its table of ``Transition`` rows, its model with ``status`` and ``version``, where
its history goes (an event model, or a bytes field of the row itself: ``hromada.core.history``) and its refusal
message; ``StateMachine`` does the rest the same way for all of them:
``transition`` checks the role (access.PERMISSIONS: a role that may never → "forbidden"), locks the row if it
is in the actor's scope (outside it: "not found"), checks the optimistic version, the current state and the
step's guard, then writes the new state and one event — all in the caller's transaction, so nothing is
half-applied. ``allowed_actions`` lists the buttons, ``record_event`` is the one place that writes the history.

Core sits below the access layer: it asks it through ``hromada.core.registry`` (filled by AccountsConfig.ready).
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from . import registry
from .batching import WriteBatch
from .error_codes import ErrorCode
from .errors import Conflict
from .history import HistoryCodec, append_in_row


class IllegalTransition(Conflict):
    code = ErrorCode.ILLEGAL_TRANSITION


class StaleVersion(Conflict):
    code = ErrorCode.STALE_VERSION




def _write_events(events: list[Model]) -> None:
    if len(events) == 1:
        events[0].save(force_insert=True)
        return
    by_model: dict[type[Model], list[Model]] = {}
    for event in events:
        by_model.setdefault(type(event), []).append(event)
    for model, rows in by_model.items():
        model._default_manager.bulk_create(rows)


_events: WriteBatch[Model] = WriteBatch(_write_events)


def batched_events() -> AbstractContextManager[None]:
    """Events recorded inside (``record_event``, ``transition``) are written together, one INSERT per event
    model, when the block ends — inside the caller's transaction (one request doing several steps of one case,
    e.g. the offline intake's create and submit). Until then they have no id. Nested blocks join the outermost
    one; an exception discards the pending events (the transaction rolls back anyway)."""
    return _events.collect()


def apply_transition(locked, *, action: str, label: str, sources, target: str | None, refusal: str,
                     expected_version: int | None = None, guard: Callable | None = None, changes: dict,
                     before_save: Callable[[str], None] | None = None) -> str:
    """Move the locked row (fields ``status`` and ``version``) to ``target``; return the status it left.

    ``refusal`` is the message template for an illegal state, with %(action)s and %(status)s; ``guard(row)``
    may return a further reason to refuse. Nothing is written unless every check passes. ``before_save(from)``
    changes the row further in the same UPDATE (the history kept in the row).
    """
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    details = {"action": action, "status": locked.status}
    if locked.status not in sources:
        raise IllegalTransition(refusal % {"action": label, "status": locked.get_status_display()}, details=details)
    if guard is not None:
        reason = guard(locked)
        if reason:
            raise IllegalTransition(reason, details=details)
    from_status = locked.status
    if target is not None:
        locked.status = target
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.version += 1
    if before_save is not None:
        before_save(from_status)
    locked.save()
    return from_status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None          # None: the state does not change (e.g. assign while in review)
    permission: str | None      # None: a system step (no human actor)
    label: str
    guard: Callable[[Any], str | None] | None = None   # returns a refusal message or None


class StateMachine:
    """One workflow: its transition table over ``model`` (fields ``status``, ``version``) and its history either
    in ``event_model`` (a FK ``event_field`` to the row, ``action``, ``actor``, ``from_status``, ``to_status``,
    ``comment``, ``data``, ``at``) or in the row's own bytes field ``history_field``, laid out by ``codec``
    (``hromada.core.history``). ``refusal`` has %(action)s and %(status)s."""

    def __init__(self, *, name: str, model: type[Model], transitions: list[Transition], refusal: str,
                 event_model: type[Model] | None = None, event_field: str = "",
                 history_field: str = "", codec: HistoryCodec | None = None):
        if (event_model is None) == (not history_field) or bool(history_field) != (codec is not None):
            raise ValueError("a workflow keeps its history in an event model, or in a field with its codec")
        self.name = name
        self.model = model
        self.event_model = event_model
        self.event_field = event_field
        self.history_field = history_field
        self.codec = codec
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}
        self.refusal = refusal

    def allowed_actions(self, obj, user=None) -> list[str]:
        """Actions possible now (for buttons): the state allows it, a person may take it and, given a user,
        the role may."""
        return [t.action for t in self.transitions.values()
                if obj.status in t.sources and t.permission
                and (user is None or registry.may(user, t.permission))]

    def lock_visible(self, obj: Model | int, actor, permission: str):
        """The row, locked, if the actor may change it: Forbidden for a role that may never take the action,
        then NotFound outside scope (the outsider rule of ``accounts.access``)."""
        pk = obj if isinstance(obj, int) else obj.pk
        # The role first (403 for a role that may never do this), then one round trip: the scope check and the
        # lock (of the row only, not of rows a scope rule joins).
        registry.require(actor, permission)
        return registry.get_visible(actor, self.model._default_manager.select_for_update(of=("self",)), pk=pk)

    def transition(self, obj: Model | int, action: str, *, actor=None, comment: str = "", data: dict | None = None,
                   expected_version: int | None = None, held: bool = False, **changes):
        """Apply ``action`` (see the module docstring); return the locked, saved row. ``changes`` are extra field
        values written together with the state; ``data`` goes into the event (codes and ids, no personal data).

        ``held``: ``obj`` is the row itself, already locked (or created) in the caller's transaction after the
        same scope check (e.g. ``applications.services.common.lock_application``): it is not read again; the
        role is still checked."""
        rule = self.transitions.get(action)
        if rule is None:
            raise ValueError(f"unknown {self.name} action {action!r}")
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self.name} transition must run inside a transaction (the service's)")
        pk = obj if isinstance(obj, int) else obj.pk
        if held:
            if isinstance(obj, int):
                raise ValueError("held=True needs the row, not its id")
            if rule.permission is not None:
                if actor is None:
                    raise ValueError(f"action {action!r} needs an actor")
                registry.require(actor, rule.permission)
            locked = obj
        elif actor is not None and rule.permission:
            locked = self.lock_visible(pk, actor, rule.permission)
        elif rule.permission is not None:
            raise ValueError(f"action {action!r} needs an actor")
        else:
            if actor is not None:
                registry.get_visible(actor, self.model, pk=pk)
            locked = self.model._default_manager.select_for_update().get(pk=pk)
        if self.history_field:
            # The event rides in the UPDATE that moves the state: the row is locked and read in this transaction.
            def before_save(from_status: str) -> None:
                self._append(locked, action, actor=actor, from_status=from_status, comment=comment, data=data)
            apply_transition(
                locked, action=action, label=rule.label, sources=rule.sources, target=rule.target,
                refusal=self.refusal, expected_version=expected_version, guard=rule.guard, changes=changes,
                before_save=before_save)
            return locked
        from_status = apply_transition(
            locked, action=action, label=rule.label, sources=rule.sources, target=rule.target, refusal=self.refusal,
            expected_version=expected_version, guard=rule.guard, changes=changes)
        self.record_event(locked, action, actor=actor, from_status=from_status, comment=comment, data=data)
        return locked

    def record_event(self, obj, action: str, *, actor=None, from_status: str | None = None, comment: str = "",
                     data: dict | None = None):
        """The one place that writes the history (also for steps that do not change the state); inside
        ``batched_events`` an event row is written when the block ends.

        A history kept in the row: a row not yet inserted carries the event in its INSERT; a saved one gets it
        appended by the database (one UPDATE, whatever this instance last read), and in hand."""
        if self.history_field:
            if not obj._state.adding and not getattr(obj, self.history_field):
                # An instance that holds no history (read before any event, or deferred): the event is timed
                # from the row's first one, so that is read first (a rare path; every case starts with its create).
                setattr(obj, self.history_field, self.model._default_manager.filter(pk=obj.pk).values_list(
                    self.history_field, flat=True).get())
            encoded = self._append(obj, action, actor=actor, from_status=from_status, comment=comment, data=data)
            if not obj._state.adding:
                # In hand afterwards: what the row holds (another request may have appended since this read).
                setattr(obj, self.history_field, append_in_row(self.model, self.history_field, obj.pk, encoded))
            return None
        assert self.event_model is not None
        event = self.event_model(**{
            self.event_field: obj, "action": action, "actor": actor,
            "from_status": from_status if from_status is not None else obj.status,
            "to_status": obj.status, "comment": comment, "data": data or {}, "at": timezone.now()})
        return _events.add(event)

    def _append(self, obj, action: str, *, actor, from_status: str | None, comment: str, data: dict | None) -> bytes:
        """Append one event to ``obj``'s history in hand; return the event's bytes."""
        assert self.codec is not None
        history = bytes(getattr(obj, self.history_field) or b"")
        encoded = self.codec.encode(
            first_micros=self.codec.first_micros(history), action=action,
            actor_id=getattr(actor, "pk", actor), at=timezone.now(), comment=comment, data=data,
            from_status=from_status if from_status is not None else obj.status, to_status=obj.status)
        setattr(obj, self.history_field, history + encoded)
        return encoded
