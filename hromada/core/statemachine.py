"""The mechanics shared by Hromada's explicit state machines (applications, children's cases).

Each workflow keeps its own transition table, permissions, row locking and event history; this module holds
the step they all take once the row is locked: refuse a stale version or an illegal state, then write the new
state, the accompanying field values and the next version in one save.
"""
from __future__ import annotations

from collections.abc import Callable

from .errors import Conflict


class IllegalTransition(Conflict):
    code = "illegal_transition"


class StaleVersion(Conflict):
    code = "stale_version"


def apply_transition(locked, *, action: str, label: str, sources, target: str | None, refusal: str,
                     expected_version: int | None = None, guard: Callable | None = None, changes: dict) -> str:
    """Move the locked row (fields ``status`` and ``version``) to ``target``; return the status it left.

    ``refusal`` is the message template for an illegal state, with %(action)s and %(status)s; ``guard(row)``
    may return a further reason to refuse. Nothing is written unless every check passes.
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
    locked.save()
    return from_status
