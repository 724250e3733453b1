"""An application decided elsewhere: the social case opened from an application for social services
(``hromada.social``) decides it; the decision comes back here through ``catalog.slots.social_case_decided`` so
that the front office hands the result over and the case leaves the deciding office's queue and deadlines, as for
any other application."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from hromada.audit import services as audit
from hromada.catalog.models import ServiceCategory
from hromada.core.errors import NotFound

from .. import workflow
from ..models import Application


def record_social_decision(*, application_id: int, provide: bool, social_case_id: int) -> Application:
    """The social case's decision (provide or refuse) on the application it was opened from: decided, then the
    result goes to the front office (result_sent). System steps (no actor): the social service audits its own
    decision; this audits the application's side."""
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("service").filter(pk=application_id).first()
        if app is None or app.service.category != ServiceCategory.SOCIAL_SERVICES:
            raise NotFound()
        now = timezone.now()
        action = "social_provide" if provide else "social_refuse"
        app = workflow.transition(app.pk, action, data={"social_case_id": social_case_id}, decided_at=now)
        app = workflow.transition(app.pk, "send_result", result_sent_at=now)
        audit.record(actor=None, action="application.social_decision", obj=app,
                     details={"social_case_id": social_case_id, "provide": provide})
    return app
