"""The application workflow: the one state machine every status change goes through.

    draft → submitted → in_review → returned → resubmitted → in_review
          → decided_granted | decided_refused → result_sent → result_issued → closed
    social services: submitted → decided_granted | decided_refused (the social case's decision, by the system)
    withdrawn: from any state before a decision (the applicant withdraws).

This module declares only the table; the engine (``hromada.core.statemachine``, shared with children's cases)
locks the row, checks the current state, the actor's role (access.PERMISSIONS) and scope (access layer), the
optimistic version, then writes the new state with one more event in the case's history (the row's own
``history``, in the same UPDATE) — all in the caller's transaction, so nothing is half-applied. Named service
functions (submit_application, take_application, decide, …) live in the services modules and call
``transition``.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hromada.core import statemachine
from hromada.core.statemachine import Transition

from .models import HISTORY, Application, Status

S = Status

_T = [
    Transition("submit", frozenset({S.DRAFT}), S.SUBMITTED, "application.intake", _("Надіслано до бек-офісу")),
    Transition("take", frozenset({S.SUBMITTED, S.RESUBMITTED}), S.IN_REVIEW, "application.take", _("Взято в роботу")),
    Transition("assign", frozenset({S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW}), S.IN_REVIEW, "application.assign",
               _("Призначено виконавця")),
    Transition("return", frozenset({S.IN_REVIEW}), S.RETURNED, "application.review", _("Повернуто на доопрацювання")),
    Transition("resubmit", frozenset({S.RETURNED}), S.RESUBMITTED, "application.intake", _("Надіслано повторно")),
    Transition("grant", frozenset({S.IN_REVIEW}), S.DECIDED_GRANTED, "application.review",
               _("Прийнято рішення про призначення")),
    Transition("refuse", frozenset({S.IN_REVIEW}), S.DECIDED_REFUSED, "application.review",
               _("Прийнято рішення про відмову")),
    Transition("send_result", frozenset({S.DECIDED_GRANTED, S.DECIDED_REFUSED}), S.RESULT_SENT, None,
               _("Результат надіслано до фронт-офісу")),
    Transition("issue", frozenset({S.RESULT_SENT}), S.RESULT_ISSUED, "application.issue", _("Результат видано заявнику")),
    Transition("close", frozenset({S.RESULT_ISSUED}), S.CLOSED, None, _("Справу закрито")),
    Transition("withdraw", frozenset({S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED, S.RESUBMITTED}), S.WITHDRAWN,
               "application.withdraw", _("Заяву відкликано заявником")),
    # An application for social services is decided in the social case opened from it (hromada.social): the
    # system records that decision here, so the front office hands the result over as for any other case.
    Transition("social_provide", frozenset({S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW}), S.DECIDED_GRANTED, None,
               _("Рішення про надання соціальних послуг (справа соціальних послуг)")),
    Transition("social_refuse", frozenset({S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW}), S.DECIDED_REFUSED, None,
               _("Рішення про відмову в соціальних послугах (справа соціальних послуг)")),
]
TRANSITIONS: dict[str, Transition] = {t.action: t for t in _T}
FINAL_STATES = frozenset({S.CLOSED, S.WITHDRAWN})
DECIDED_STATES = frozenset({S.DECIDED_GRANTED, S.DECIDED_REFUSED, S.RESULT_SENT, S.RESULT_ISSUED, S.CLOSED})
# States in which the back office owns the case (counts for its queue and deadlines).
BACK_OFFICE_STATES = frozenset({S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW})


# Re-exported: callers catch them as workflow.IllegalTransition / workflow.StaleVersion.
IllegalTransition = statemachine.IllegalTransition
StaleVersion = statemachine.StaleVersion

MACHINE = statemachine.StateMachine(
    name="application", model=Application, history_field="history", codec=HISTORY, transitions=_T,
    refusal=_("Дію «%(action)s» не можна виконати для заяви у статусі «%(status)s»."))


def allowed_actions(application: Application, user=None) -> list[str]:
    """Actions possible now (for buttons): state allows it and, given a user, the role may."""
    return MACHINE.allowed_actions(application, user)


def transition(application: Application | int, action: str, *, actor=None, comment: str = "",
               data: dict | None = None, expected_version: int | None = None, held: bool = False,
               **changes) -> Application:
    """Apply ``action`` to the application; see the module docstring. Returns the locked, saved row.

    ``changes`` are extra field values written together with the state (e.g. due_date, assigned_to). The decision
    steps set ``granted`` (what billing and monitoring read), whoever calls them.
    """
    if action in ("grant", "refuse"):
        changes["granted"] = action == "grant"
    return MACHINE.transition(application, action, actor=actor, comment=comment, data=data,
                              expected_version=expected_version, held=held, **changes)


def record_event(application: Application, action: str, *, actor=None, from_status: str | None = None,
                 comment: str = "", data: dict | None = None) -> None:
    """The one place that writes application history (also for non-state events, e.g. a late document)."""
    return MACHINE.record_event(application, action, actor=actor, from_status=from_status, comment=comment, data=data)
