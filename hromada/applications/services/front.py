"""The front office's part after the decision: hand the result to the resident; and withdrawal."""
from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts.models import User
from hromada.audit import services as audit
from hromada.core.errors import ValidationFailed

from .. import workflow
from ..models import Application, IssueMethod
from .common import clean_text, lock_application


def issue_result(*, actor: User, application_id: int, method: str, comment: str = "", expected_version: int | None = None,
                 request: HttpRequest | None = None) -> Application:
    """The resident received the result by ``method`` (IssueMethod): result_sent → result_issued, recorded with
    the method, the actor and the time (the event's data keeps the method for the history); then the case is
    closed. Errors: invalid_issue_method; the state machine's for a case with no result waiting."""
    comment = clean_text(comment, field=_("Коментар"), max_length=2000)
    with transaction.atomic():
        # Scope and role first: another hromada's case is "not found" whatever the method says.
        app = lock_application(actor, application_id, action="application.issue", expected_version=expected_version)
        if method not in IssueMethod.values:
            raise ValidationFailed(_("Оберіть, як видано результат: %(all)s.") % {
                "all": ", ".join(str(label).lower() for label in IssueMethod.labels)}, code="invalid_issue_method",
                details={"allowed": IssueMethod.values})
        now = timezone.now()
        # The method is the case's ``issue_method`` (set once, here): the history tells it (``told_data``).
        app = workflow.transition(app.pk, "issue", actor=actor, comment=comment,
                                  issued_at=now, issue_method=method, issued_by=actor)
        # Nothing is left to do once the resident has the result: the system closes the case.
        app = workflow.transition(app.pk, "close", actor=None, closed_at=now)
        audit.record(actor=actor, action="application.issue", obj=app, request=request, details={"method": method})
    return app


def withdraw_application(*, actor: User, application_id: int, reason: str = "", expected_version: int | None = None,
                         request: HttpRequest | None = None) -> Application:
    """The applicant withdraws the application (any state before a decision)."""
    reason = clean_text(reason, field=_("Причина"), max_length=2000)
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.withdraw", expected_version=expected_version)
        app = workflow.transition(app.pk, "withdraw", actor=actor, comment=reason, withdrawn_at=timezone.now())
        audit.record(actor=actor, action="application.withdraw", obj=app, request=request)
    return app
