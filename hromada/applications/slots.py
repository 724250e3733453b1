"""What the front office shows of the back office's decision, provided by ``hromada.backoffice`` at start-up.

The decision and its notice belong to the back office, a floor above the front office's cases
(docs/architecture.md); the case page and the results list ask through these slots instead of importing it."""
from __future__ import annotations

from hromada.core.registry import Slot

decision_summary = Slot("applications.decision_summary")  # (Decision) -> dict, as the decision notice prints it
decision_pdf = Slot("applications.decision_pdf")          # (Decision) -> bytes of the printed notice
decision_for = Slot("applications.decision_for")          # (user, application_id) -> Decision | None, NotFound
# Provided by hromada.registers: the state-register checks on the case page and their start on submission.
registers_panel = Slot("applications.registers_panel")  # (request, Application) -> HTML of the "Перевірити в реєстрах" panel
case_submitted = Slot("applications.case_submitted")    # (actor=, application=) -> None, queues the checks
