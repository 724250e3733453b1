"""Back-office actions on a case: take, assign, return for correction, decide, send the result.

Each function is one transaction; the state change goes through applications.workflow.transition
(row lock, scope, role, state, optimistic version, event) and is audited in the same transaction.
The resident is told through hromada.notifications (with her consent; delivery starts on commit).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from hromada.accounts import access
from hromada.accounts.models import Role, User
from hromada.applications import workflow
from hromada.applications.models import Application
from hromada.audit.services import record
from hromada.core.errors import Forbidden, ValidationFailed
from hromada.notifications import services as notifications
from hromada.notifications.models import Kind

from . import calculators
from .models import Decision, Outcome, ReturnRequest
from .reasons import get_reason

REVIEWERS = (Role.BACK_SPECIALIST, Role.BACK_HEAD)


def _require_reviewer_of(actor: User, application: Application) -> None:
    """A specialist works on the cases assigned to them; the head may act on any case of the office."""
    if actor.role in (Role.BACK_SPECIALIST, Role.CHILD_SERVICE) and application.assigned_to_id not in (None, actor.pk):
        raise Forbidden(gettext("Заяву призначено іншому виконавцю. Зверніться до керівника."), code="not_assignee")


def _visible_case(actor: User, application_id: int) -> Application:
    return access.get_visible(actor, Application.objects.select_related("service"), pk=application_id)


@transaction.atomic
def take_application(*, actor: User, application_id: int, expected_version: int | None = None) -> Application:
    """The actor takes a submitted or resubmitted case into work (becomes its executor)."""
    app = workflow.transition(application_id, "take", actor=actor, expected_version=expected_version,
                              assigned_to=actor)
    # A resubmitted case closes the open return requests: the front office has answered them.
    ReturnRequest.objects.filter(application=app, resolved_at__isnull=True).update(
        resolved_at=app.submitted_at or timezone.now())
    record(actor=actor, action="application.take", obj=app, details={"version": app.version})
    return app


@transaction.atomic
def assign_application(*, actor: User, application_id: int, user_id: int,
                       expected_version: int | None = None) -> Application:
    """The head assigns a case to a specialist (or head) of the same back office; a waiting case goes in review."""
    access.require(actor, "application.assign")
    _visible_case(actor, application_id)
    assignee = User.objects.filter(pk=user_id, is_active=True, role__in=REVIEWERS,
                                   office_id=cast(int, actor.office_id)).first()
    if assignee is None:
        raise ValidationFailed(gettext("Виконавцем можна призначити лише фахівця або керівника цього бек-офісу."),
                               code="invalid_assignee", details={"user_id": user_id})
    app = workflow.transition(application_id, "assign", actor=actor, expected_version=expected_version,
                              assigned_to=assignee, data={"assigned_to": assignee.pk})
    ReturnRequest.objects.filter(application=app, resolved_at__isnull=True).update(
        resolved_at=app.submitted_at or timezone.now())
    record(actor=actor, action="application.assign", obj=app, details={"assigned_to": assignee.pk})
    return app


@transaction.atomic
def return_for_correction(*, actor: User, application_id: int, reason: str, items: list[str],
                          expected_version: int | None = None) -> ReturnRequest:
    """Send the case back to its front office with the reason and the list of what to fix."""
    reason = (reason or "").strip()
    items = [str(i).strip() for i in (items or []) if str(i).strip()]
    if not reason:
        raise ValidationFailed(gettext("Вкажіть причину повернення."), code="reason_required")
    if len(reason) > 2000 or len(items) > 50 or any(len(i) > 300 for i in items):
        raise ValidationFailed(gettext("Причина або перелік надто довгі."), code="too_long")
    _require_reviewer_of(actor, _visible_case(actor, application_id))
    app = workflow.transition(application_id, "return", actor=actor, comment=reason, data={"items": items},
                              expected_version=expected_version)
    # The row is locked by the transition, so a plain increment is safe here.
    Application.objects.filter(pk=app.pk).update(return_count=F("return_count") + 1)
    request_row = ReturnRequest.objects.create(application=app, reason=reason, items=items, returned_by=actor,
                                               returned_at=timezone.now())
    record(actor=actor, action="application.return", obj=app, details={"items": len(items)})
    notifications.notify_resident(application=app, kind=Kind.RETURNED, reference=str(request_row.pk))
    return request_row


def _parse_amount(amount: Decimal | str | float) -> Decimal:
    try:
        value = Decimal(str(amount).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(gettext("Некоректна сума."), code="invalid_amount") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise ValidationFailed(gettext("Сума має бути невід’ємним числом."), code="invalid_amount")
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def decide(*, actor: User, application_id: int, outcome: str, amount: Decimal | str | float | None = None,
           period_from: date | None = None,
           period_to: date | None = None, reason_code: str = "", comment: str = "",
           calculator_inputs: dict | None = None, expected_version: int | None = None) -> Decision:
    """Grant (amount ≥ 0 and a valid period; calculated when the service has a calculator and inputs are
    given) or refuse (a reason from the legal-reasons list). Then the result is sent at once."""
    app = _visible_case(actor, application_id)
    access.require(actor, "application.review")
    _require_reviewer_of(actor, app)
    comment = (comment or "").strip()
    calculation, calc_code, version = {}, "", ""
    if outcome == Outcome.GRANTED:
        if calculator_inputs is not None and app.service.calculator:
            # strict: a figure that is missing or unconfirmed for the date refuses (legal_figure_missing), so
            # nothing unsourced is printed into a decision; the figures used are stored with it.
            result = calculators.calculate(app.service.calculator, calculator_inputs, app.application_date,
                                           strict=True)
            calculation, calc_code, version = result.as_json(), result.calculator, result.data_version
            amount = result.amount if amount in (None, "") else amount
            period_from, period_to = period_from or result.period_from, period_to or result.period_to
        if amount in (None, ""):
            raise ValidationFailed(gettext("Вкажіть суму допомоги."), code="amount_required")
        amount = _parse_amount(amount)
        if calculation and amount != Decimal(calculation["amount"]) and not comment:
            raise ValidationFailed(gettext("Сума відрізняється від розрахованої: поясніть це в коментарі."),
                                   code="amount_override_needs_comment")
        if period_from is None or period_to is None or period_to < period_from:
            raise ValidationFailed(gettext("Вкажіть коректний період виплати (дата «з» не пізніше дати «по»)."),
                                   code="invalid_period")
        reason_code = ""
        action = "grant"
    elif outcome == Outcome.REFUSED:
        reason = get_reason(reason_code or "", app.service.code)
        if reason is None:
            raise ValidationFailed(gettext("Оберіть підставу відмови з переліку."), code="invalid_reason",
                                   details={"reason_code": reason_code})
        if not reason.confirmed:
            raise ValidationFailed(gettext("Правову підставу цієї відмови не підтверджено чинним актом: її не можна "
                                   "зазначити в рішенні."), code="invalid_reason", details={"reason_code": reason_code})
        amount = period_from = period_to = None
        action = "refuse"
    else:
        raise ValidationFailed(gettext("Рішення має бути «granted» або «refused»."), code="invalid_outcome")
    now = timezone.now()
    app = workflow.transition(app.pk, action, actor=actor, comment=comment, expected_version=expected_version,
                              data={"reason_code": reason_code} if reason_code else {"amount": str(amount)},
                              decided_at=now)
    decision = Decision.objects.create(
        application=app, outcome=outcome, amount=amount, period_from=period_from, period_to=period_to,
        calculation=calculation, calculator=calc_code, data_version=version, reason_code=reason_code,
        comment=comment, decided_by=actor, decided_at=now)
    record(actor=actor, action=f"application.{action}", obj=app, details={"decision": decision.pk})
    send_result(application_id=app.pk)
    return decision


@transaction.atomic
def send_result(*, application_id: int) -> Application:
    """System step after a decision: the result goes to the front office that accepted the case and the
    resident is told (SMS / e-mail she agreed to, on commit) that it is ready there."""
    app = workflow.transition(application_id, "send_result", result_sent_at=timezone.now())
    record(actor=None, action="application.send_result", obj=app)
    notifications.notify_resident(application=app, kind=Kind.RESULT_READY)
    return app
