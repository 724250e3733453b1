"""The child-case workflow: the one state machine every status change goes through.

    registered → assessment → decided (in difficult life circumstances) → case_plan → review ⟲ → closed
                            ↘ closed (not in difficult life circumstances)
    decided / case_plan / review → closed (with an outcome)

``transition`` locks the row, checks scope (a case outside the actor's scope is "not found"), the
role (access.PERMISSIONS), the optimistic version, the current state and the step's guard, then writes
the new state and one Event — all in the caller's transaction. Named service functions
(start_assessment, decide_on_circumstances, approve_case_plan, …) live in services.py and call it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hromada.accounts import access
from hromada.core import statemachine

from .models import CaseStatus, ChildCase, Event

S = CaseStatus
CHANGE = "childcase.change"


def _assessment_completed(case: ChildCase) -> str | None:
    assessment = getattr(case, "assessment", None)
    if assessment is None or assessment.completed_on is None:
        return "Спершу завершіть оцінювання потреб дитини."
    return None


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None          # None: the state does not change
    permission: str
    label: str
    guard: Callable[[ChildCase], str | None] | None = None   # returns a refusal message or None


_T = [
    Transition("start_assessment", frozenset({S.REGISTERED}), S.ASSESSMENT, CHANGE, "Розпочато оцінювання потреб"),
    Transition("recognise", frozenset({S.ASSESSMENT}), S.DECIDED, CHANGE,
               "Дитину визнано такою, що перебуває у СЖО", _assessment_completed),
    Transition("not_recognise", frozenset({S.ASSESSMENT}), S.CLOSED, CHANGE,
               "Дитину не визнано такою, що перебуває у СЖО", _assessment_completed),
    Transition("approve_plan", frozenset({S.DECIDED}), S.CASE_PLAN, CHANGE, "Затверджено план соціального захисту"),
    Transition("review", frozenset({S.CASE_PLAN, S.REVIEW}), S.REVIEW, CHANGE, "Проведено перегляд плану"),
    Transition("close", frozenset({S.DECIDED, S.CASE_PLAN, S.REVIEW}), S.CLOSED, CHANGE, "Справу закрито"),
]
TRANSITIONS: dict[str, Transition] = {t.action: t for t in _T}
# History labels: the transitions' own plus the non-state steps written by record_event.
EVENT_LABELS: dict[str, str] = {
    "register": "Зареєстровано повідомлення",
    "complete_assessment": "Завершено оцінювання потреб",
    "add_measure": "Додано захід до плану",
    "measure_done": "Захід виконано",
    "referral": "Направлено до іншої служби",
    "referral_feedback": "Отримано зворотний зв’язок",
    **{t.action: t.label for t in _T},
}
OPEN_STATES = frozenset({S.REGISTERED, S.ASSESSMENT, S.DECIDED, S.CASE_PLAN, S.REVIEW})
# States in which referrals and their feedback may be recorded (work with the family is going on).
WORKING_STATES = frozenset({S.ASSESSMENT, S.DECIDED, S.CASE_PLAN, S.REVIEW})
PLAN_STATES = frozenset({S.CASE_PLAN, S.REVIEW})


# Re-exported: callers catch them as workflow.IllegalTransition / workflow.StaleVersion.
IllegalTransition = statemachine.IllegalTransition
StaleVersion = statemachine.StaleVersion


def allowed_actions(case: ChildCase, user=None) -> list[str]:
    """Actions possible now (for buttons): the state allows it and, given a user, the role may."""
    return [t.action for t in _T if case.status in t.sources and (user is None or access.may(user, t.permission))]


def lock_visible(case: ChildCase | int, actor) -> ChildCase:
    """The case row, locked, if the actor may change it; NotFound outside scope, Forbidden by role."""
    pk = case if isinstance(case, int) else case.pk
    access.get_visible(actor, ChildCase, pk=pk)
    access.require(actor, CHANGE)
    return ChildCase.objects.select_for_update().get(pk=pk)


def transition(case: ChildCase | int, action: str, *, actor, comment: str = "", data: dict | None = None,
               expected_version: int | None = None, **changes) -> ChildCase:
    """Apply ``action`` to the case; see the module docstring. Returns the locked, saved row.

    ``changes`` are extra field values written together with the state (e.g. outcome, closed_at).
    ``data`` goes into the event: codes and ids only, never the reporter or other personal data.
    """
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise ValueError(f"unknown child-case action {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("children.workflow.transition must run inside a transaction (the service's)")
    pk = case if isinstance(case, int) else case.pk
    # Scope first: an invisible case is "not found", whatever the role.
    access.get_visible(actor, ChildCase, pk=pk)
    access.require(actor, rule.permission)
    locked = ChildCase.objects.select_for_update().get(pk=pk)
    from_status = statemachine.apply_transition(
        locked, action=action, label=rule.label, sources=rule.sources, target=rule.target,
        refusal="Дію «%(action)s» не можна виконати для справи у статусі «%(status)s».",
        expected_version=expected_version, guard=rule.guard, changes=changes)
    record_event(locked, action, actor=actor, from_status=from_status, comment=comment, data=data)
    return locked


def record_event(case: ChildCase, action: str, *, actor=None, from_status: str | None = None,
                 comment: str = "", data: dict | None = None) -> Event:
    """The one place that writes child-case history (also non-state steps: a referral, a measure done)."""
    return Event.objects.create(
        case=case, action=action, actor=actor,
        from_status=from_status if from_status is not None else case.status,
        to_status=case.status, comment=comment, data=data or {}, at=timezone.now())
