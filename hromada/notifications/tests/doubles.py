"""In-process test double of an SMS gateway for unit tests of other apps (the protocol-level stand-in is
hromada.notifications.standin_gateway, run as a process by test_channels)."""
from __future__ import annotations

from itertools import count

from hromada.notifications.channels import Accepted

_ids = count(1)


class LocmemSms:
    """Keeps messages in ``LocmemSms.outbox`` as (phone, text)."""
    delivers = True
    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str, reference: str) -> Accepted:
        type(self).outbox.append((phone, text))
        return Accepted(message_id=f"locmem-{next(_ids)}")
