"""The child-case workflow: the one state machine every status change goes through.

    registered → assessment → decided (in difficult life circumstances) → case_plan → review ⟲ → closed
                            ↘ closed (not in difficult life circumstances)
    decided / case_plan / review → closed (with an outcome)

This module declares only the table; the engine (``hromada.core.statemachine``, shared with applications)
locks the row, checks scope (a case outside the actor's scope is "not found"), the role (access.PERMISSIONS), the
optimistic version, the current state and the step's guard, then writes the new state and one Event — all in the
caller's transaction. Named service functions (start_assessment, decide_on_circumstances, approve_case_plan, …)
live in services.py and call ``transition``.
"""
from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hromada.core import statemachine
from hromada.core.statemachine import Transition

from .models import CaseStatus, ChildCase, Event

S = CaseStatus
CHANGE = "childcase.change"


def _assessment_completed(case: ChildCase) -> str | None:
    assessment = getattr(case, "assessment", None)
    if assessment is None or assessment.completed_on is None:
        return gettext("Спершу завершіть оцінювання потреб дитини.")
    return None


_T = [
    Transition("start_assessment", frozenset({S.REGISTERED}), S.ASSESSMENT, CHANGE, _("Розпочато оцінювання потреб")),
    Transition("recognise", frozenset({S.ASSESSMENT}), S.DECIDED, CHANGE,
               _("Дитину визнано такою, що перебуває у СЖО"), _assessment_completed),
    Transition("not_recognise", frozenset({S.ASSESSMENT}), S.CLOSED, CHANGE,
               _("Дитину не визнано такою, що перебуває у СЖО"), _assessment_completed),
    Transition("approve_plan", frozenset({S.DECIDED}), S.CASE_PLAN, CHANGE, _("Затверджено план соціального захисту")),
    Transition("review", frozenset({S.CASE_PLAN, S.REVIEW}), S.REVIEW, CHANGE, _("Проведено перегляд плану")),
    Transition("close", frozenset({S.DECIDED, S.CASE_PLAN, S.REVIEW}), S.CLOSED, CHANGE, _("Справу закрито")),
]
TRANSITIONS: dict[str, Transition] = {t.action: t for t in _T}
# History labels: the transitions' own plus the non-state steps written by record_event.
EVENT_LABELS: dict[str, str | Promise] = {
    "register": _("Зареєстровано повідомлення"),
    "complete_assessment": _("Завершено оцінювання потреб"),
    "add_measure": _("Додано захід до плану"),
    "measure_done": _("Захід виконано"),
    "referral": _("Направлено до іншої служби"),
    "referral_feedback": _("Отримано зворотний зв’язок"),
    **{t.action: t.label for t in _T},
}
OPEN_STATES = frozenset({S.REGISTERED, S.ASSESSMENT, S.DECIDED, S.CASE_PLAN, S.REVIEW})
# States in which referrals and their feedback may be recorded (work with the family is going on).
WORKING_STATES = frozenset({S.ASSESSMENT, S.DECIDED, S.CASE_PLAN, S.REVIEW})
PLAN_STATES = frozenset({S.CASE_PLAN, S.REVIEW})


# Re-exported: callers catch them as workflow.IllegalTransition / workflow.StaleVersion.
IllegalTransition = statemachine.IllegalTransition
StaleVersion = statemachine.StaleVersion

MACHINE = statemachine.StateMachine(
    name="child-case", model=ChildCase, event_model=Event, event_field="case", transitions=_T,
    refusal=_("Дію «%(action)s» не можна виконати для справи у статусі «%(status)s»."))


def allowed_actions(case: ChildCase, user=None) -> list[str]:
    """Actions possible now (for buttons): the state allows it and, given a user, the role may."""
    return MACHINE.allowed_actions(case, user)


def lock_visible(case: ChildCase | int, actor) -> ChildCase:
    """The case row, locked, if the actor may change it; NotFound outside scope, Forbidden by role."""
    return MACHINE.lock_visible(case, actor, CHANGE)


def transition(case: ChildCase | int, action: str, *, actor, comment: str = "", data: dict | None = None,
               expected_version: int | None = None, **changes) -> ChildCase:
    """Apply ``action`` to the case; see the module docstring. Returns the locked, saved row.

    ``changes`` are extra field values written together with the state (e.g. outcome, closed_at).
    ``data`` goes into the event: codes and ids only, never the reporter or other personal data.
    """
    return MACHINE.transition(case, action, actor=actor, comment=comment, data=data,
                              expected_version=expected_version, **changes)


def record_event(case: ChildCase, action: str, *, actor=None, from_status: str | None = None,
                 comment: str = "", data: dict | None = None) -> Event:
    """The one place that writes child-case history (also non-state steps: a referral, a measure done)."""
    return MACHINE.record_event(case, action, actor=actor, from_status=from_status, comment=comment, data=data)
