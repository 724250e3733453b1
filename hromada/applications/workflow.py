"""The application workflow: the one state machine every status change goes through.

    draft → submitted → in_review → returned → resubmitted → in_review
          → decided_granted | decided_refused → result_sent → result_issued → closed
    withdrawn: from any state before a decision (the applicant withdraws).

``transition`` locks the row, checks the current state, the actor's role (access.PERMISSIONS) and
scope (access layer), the optimistic version, then writes the new state and one Event — all in the
caller's transaction, so nothing is half-applied. Named service functions (submit_application,
take_application, decide, …) live in the services modules and call it.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hromada.accounts import access
from hromada.core import statemachine

from .models import Application, Event, Status

S = Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None          # None: the state does not change (e.g. assign while in review)
    permission: str | None      # None: a system step (no human actor)
    label: str


_T = [
    Transition("submit", frozenset({S.DRAFT}), S.SUBMITTED, "application.intake", "Надіслано до бек-офісу"),
    Transition("take", frozenset({S.SUBMITTED, S.RESUBMITTED}), S.IN_REVIEW, "application.take", "Взято в роботу"),
    Transition("assign", frozenset({S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW}), S.IN_REVIEW, "application.assign",
               "Призначено виконавця"),
    Transition("return", frozenset({S.IN_REVIEW}), S.RETURNED, "application.review", "Повернуто на доопрацювання"),
    Transition("resubmit", frozenset({S.RETURNED}), S.RESUBMITTED, "application.intake", "Надіслано повторно"),
    Transition("grant", frozenset({S.IN_REVIEW}), S.DECIDED_GRANTED, "application.review",
               "Прийнято рішення про призначення"),
    Transition("refuse", frozenset({S.IN_REVIEW}), S.DECIDED_REFUSED, "application.review", "Прийнято рішення про відмову"),
    Transition("send_result", frozenset({S.DECIDED_GRANTED, S.DECIDED_REFUSED}), S.RESULT_SENT, None,
               "Результат надіслано до фронт-офісу"),
    Transition("issue", frozenset({S.RESULT_SENT}), S.RESULT_ISSUED, "application.issue", "Результат видано заявнику"),
    Transition("close", frozenset({S.RESULT_ISSUED}), S.CLOSED, None, "Справу закрито"),
    Transition("withdraw", frozenset({S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED, S.RESUBMITTED}), S.WITHDRAWN,
               "application.withdraw", "Заяву відкликано заявником"),
]
TRANSITIONS: dict[str, Transition] = {t.action: t for t in _T}
FINAL_STATES = frozenset({S.CLOSED, S.WITHDRAWN})
DECIDED_STATES = frozenset({S.DECIDED_GRANTED, S.DECIDED_REFUSED, S.RESULT_SENT, S.RESULT_ISSUED, S.CLOSED})
# States in which the back office owns the case (counts for its queue and deadlines).
BACK_OFFICE_STATES = frozenset({S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW})


# Re-exported: callers catch them as workflow.IllegalTransition / workflow.StaleVersion.
IllegalTransition = statemachine.IllegalTransition
StaleVersion = statemachine.StaleVersion


def allowed_actions(application: Application, user=None) -> list[str]:
    """Actions possible now (for buttons): state allows it and, given a user, the role may."""
    return [t.action for t in _T
            if application.status in t.sources and t.permission
            and (user is None or access.may(user, t.permission))]


def transition(application: Application | int, action: str, *, actor=None, comment: str = "",
               data: dict | None = None, expected_version: int | None = None, **changes) -> Application:
    """Apply ``action`` to the application; see the module docstring. Returns the locked, saved row.

    ``changes`` are extra field values written together with the state (e.g. due_date, assigned_to).
    """
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise ValueError(f"unknown workflow action {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.transition must run inside a transaction (the service's)")
    pk = application if isinstance(application, int) else application.pk
    if actor is not None:
        # Scope first: an invisible case is "not found", whatever the role.
        access.get_visible(actor, Application, pk=pk)
        if rule.permission:
            access.require(actor, rule.permission)
    elif rule.permission is not None:
        raise ValueError(f"action {action!r} needs an actor")
    locked = Application.objects.select_for_update().get(pk=pk)
    from_status = statemachine.apply_transition(
        locked, action=action, label=rule.label, sources=rule.sources, target=rule.target,
        refusal="Дію «%(action)s» не можна виконати для заяви у статусі «%(status)s».",
        expected_version=expected_version, changes=changes)
    record_event(locked, action, actor=actor, from_status=from_status, comment=comment, data=data)
    return locked


def record_event(application: Application, action: str, *, actor=None, from_status: str | None = None,
                 comment: str = "", data: dict | None = None) -> Event:
    """The one place that writes application history (also for non-state events, e.g. a late document)."""
    return Event.objects.create(
        application=application, action=action, actor=actor,
        from_status=from_status if from_status is not None else application.status,
        to_status=application.status, comment=comment, data=data or {}, at=timezone.now())
