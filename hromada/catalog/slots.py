"""Slots the social-services app fills at start-up (``hromada.social.apps``), so that the front office's intake
(``hromada.applications``, a sibling it may not import) can take an application for social services.

An application of the «social_services» category is accepted like any other (applicant, family, scans, receipt,
status check) and routed to the hromada's social-protection unit; on submission that unit's social case is opened
from it, with the services and urgency the front office marked on the form."""
from __future__ import annotations

from hromada.core.registry import Slot

# () -> {"services": {code: name}, "urgencies": {code: label}}: what the intake form offers for social services.
social_intake_choices = Slot("catalog.social_intake_choices")
# (actor=, application=, service_codes=, urgency=, request=) -> the social case opened from the submitted application;
# raises ValidationFailed (no services, an open case of the person, …) so that nothing is sent.
social_case_from_application = Slot("catalog.social_case_from_application")
# (application_id) -> {"number", "status_label"} of the social case opened from the application, or None.
social_public_status = Slot("catalog.social_public_status")
# Provided by hromada.applications: (application_id=, provide=, social_case_id=) -> the application, decided and
# sent to the front office for handing over — the social case's decision on the application it was opened from.
social_case_decided = Slot("catalog.social_case_decided")
# (user, application_id) -> the decision of the social case opened from the application, as its notice says it
# (hromada.social.selectors.notice_content: {"kind": "social", "outcome": "granted"|"refused", "services", "reason",
# …}), or None before a decision; NotFound when the user does not see the application.
social_decision = Slot("catalog.social_decision")
# (user, application_ids) -> {application_id: that decision} for those of the ids the user sees that have one: a
# list of results reads every social row's decision in one go (a fixed number of queries, not a few per row).
social_decisions = Slot("catalog.social_decisions")
# (user, application_id) -> bytes of that decision's printed notice (the social case's one layout), or None.
social_decision_pdf = Slot("catalog.social_decision_pdf")
# Provided by hromada.applications: (user, application_id) -> the application's checklist with what was provided
# ([{"document_code", "title", "required", "provided", "timing", "condition", "pages", "documents": [ids]}]) — the
# social case opened from it shows its documents from there, not from a second list; NotFound outside the scope.
application_checklist = Slot("catalog.application_checklist")
