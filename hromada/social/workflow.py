"""The social-case workflow: a table of transitions on the one engine (``hromada.core.statemachine``).

    registered → assessment → assessed → providing → in_service ⇄ suspended → closed
                                       ↘ refused
    any open state → closed (with an outcome)

Named service functions (assign, complete_assessment, decide, approve_plan, …) live in services.py.
"""
from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hromada.core import statemachine
from hromada.core.statemachine import Transition

from .models import CaseStatus, Event, SocialCase

S = CaseStatus
CHANGE = "socialcase.change"


def _needs_identified(case: SocialCase) -> str | None:
    last = case.assessments.order_by("-completed_on", "-id").first()
    if last is None or not last.needs_identified:
        return gettext("Оцінювання не виявило потреб у соціальних послугах: можна лише відмовити або закрити справу.")
    return None


_T = [
    Transition("assign", frozenset({S.REGISTERED}), S.ASSESSMENT, CHANGE, _("Призначено фахівця, розпочато оцінювання")),
    Transition("complete_assessment", frozenset({S.ASSESSMENT}), S.ASSESSED, CHANGE, _("Завершено оцінювання потреб")),
    Transition("provide", frozenset({S.ASSESSED}), S.PROVIDING, CHANGE, _("Рішення про надання послуг"),
               _needs_identified),
    Transition("refuse", frozenset({S.ASSESSED}), S.REFUSED, CHANGE, _("Рішення про відмову")),
    Transition("approve_plan", frozenset({S.PROVIDING}), S.IN_SERVICE, CHANGE, _("Затверджено індивідуальний план")),
    Transition("suspend", frozenset({S.IN_SERVICE}), S.SUSPENDED, CHANGE, _("Надання послуг призупинено")),
    Transition("resume", frozenset({S.SUSPENDED}), S.IN_SERVICE, CHANGE, _("Надання послуг відновлено")),
    Transition("close", frozenset({S.REGISTERED, S.ASSESSMENT, S.ASSESSED, S.PROVIDING, S.IN_SERVICE, S.SUSPENDED}),
               S.CLOSED, CHANGE, _("Справу закрито")),
]
TRANSITIONS: dict[str, Transition] = {t.action: t for t in _T}
EVENT_LABELS: dict[str, str | Promise] = {
    "register": _("Зареєстровано заяву"),
    "reassessment": _("Проведено повторне оцінювання"),
    "delivery": _("Зафіксовано надання послуги"),
    "referral": _("Направлено до іншого органу"),
    "contract": _("Укладено договір з надавачем"),
    "waiting_list": _("Поставлено в чергу очікування"),
    **{t.action: t.label for t in _T},
}
OPEN_STATES = frozenset({S.REGISTERED, S.ASSESSMENT, S.ASSESSED, S.PROVIDING, S.IN_SERVICE, S.SUSPENDED})
WORKING_STATES = frozenset({S.ASSESSMENT, S.ASSESSED, S.PROVIDING, S.IN_SERVICE, S.SUSPENDED})

IllegalTransition = statemachine.IllegalTransition
StaleVersion = statemachine.StaleVersion

MACHINE = statemachine.StateMachine(
    name="social-case", model=SocialCase, event_model=Event, event_field="case", transitions=_T,
    refusal=_("Дію «%(action)s» не можна виконати для справи у статусі «%(status)s»."))


def allowed_actions(case: SocialCase, user=None) -> list[str]:
    return MACHINE.allowed_actions(case, user)


def lock_visible(case: SocialCase | int, actor, permission: str = CHANGE) -> SocialCase:
    return MACHINE.lock_visible(case, actor, permission)


def transition(case: SocialCase | int, action: str, *, actor, comment: str = "", data: dict | None = None,
               expected_version: int | None = None, **changes) -> SocialCase:
    return MACHINE.transition(case, action, actor=actor, comment=comment, data=data,
                              expected_version=expected_version, **changes)


def record_event(case: SocialCase, action: str, *, actor=None, from_status: str | None = None,
                 comment: str = "", data: dict | None = None) -> Event:
    return MACHINE.record_event(case, action, actor=actor, from_status=from_status, comment=comment, data=data)
