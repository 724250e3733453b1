"""Background work of the person registry."""
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="persons.follow_settlement_raions")
def follow_settlement_raions() -> int:
    """Nightly: a person whose raion is not her settlement's takes it. The services keep it on every write; this
    repairs what they did not write — persons saved by the older code while a release rolls out host by host, a
    row edited by hand in the database. How many persons it corrected (normally none)."""
    return services.follow_settlement_raions()
