"""The front office's part after the decision: hand the result to the resident; and withdrawal."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from hromada.audit import services as audit

from .. import workflow
from ..models import Application
from .common import clean_text, lock_application


def issue_result(*, actor, application_id, comment: str = "", expected_version: int | None = None,
                 request=None) -> Application:
    """The resident received the result: result_sent → result_issued, and the case is closed."""
    comment = clean_text(comment, field="Коментар", max_length=2000)
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.issue", expected_version=expected_version)
        now = timezone.now()
        app = workflow.transition(app.pk, "issue", actor=actor, comment=comment, issued_at=now)
        # Nothing is left to do once the resident has the result: the system closes the case.
        app = workflow.transition(app.pk, "close", actor=None, closed_at=now)
        audit.record(actor=actor, action="application.issue", obj=app, request=request)
    return app


def withdraw_application(*, actor, application_id, reason: str = "", expected_version: int | None = None,
                         request=None) -> Application:
    """The applicant withdraws the application (any state before a decision)."""
    reason = clean_text(reason, field="Причина", max_length=2000)
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.withdraw", expected_version=expected_version)
        app = workflow.transition(app.pk, "withdraw", actor=actor, comment=reason, withdrawn_at=timezone.now())
        audit.record(actor=actor, action="application.withdraw", obj=app, request=request)
    return app
