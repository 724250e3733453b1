"""Scans and receipts left in storage without a row: written by a transaction that was then killed (``kill -9``,
a lost connection) after the file was saved and before the commit, where no rollback hook ever runs."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from hromada.audit import services as audit

from ..models import Application, Document, Receipt

HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
PREFIXES: dict[str, type[Document | Receipt]] = {"documents": Document, "receipts": Receipt}


def _walk(storage: Storage, path: str) -> Iterator[str]:
    dirs, files = storage.listdir(path)
    for name in files:
        yield f"{path}/{name}"
    for sub in dirs:
        yield from _walk(storage, f"{path}/{sub}")


def _named(model: type[Document | Receipt], name: str) -> bool:
    """Whether a row names the stored file ``name``: stored whole, or stored as '' (the name derived from the row,
    ``core.fields.DerivedNameFileField``) by a row of the case whose folder it is in, with the hash it ends with —
    read through the case's index. Kept when in doubt: such a row keeps its file even if the name derived from it
    were another (what it is derived from must not change, but a sweep never bets a scan on it)."""
    manager = model._default_manager
    if manager.filter(file=name).exists():
        return True
    *_, case, last = ["", *name.split("/")]
    digest = last.split(".", 1)[0]
    return (case.isdigit() and HEX_DIGEST.fullmatch(digest) is not None
            and manager.filter(application_id=int(case), sha256=digest, file="").exists())


def cases_without_receipt(*, older_than: datetime, limit: int = 500) -> list[int]:
    """Cases submitted in the week before ``older_than`` that have no receipt: the intake could not queue it at
    commit (the broker was down). A case younger than ``older_than`` may still have its receipt in the queue."""
    return list(Application.objects.filter(first_submitted_at__gte=older_than - timedelta(days=7),
                                           first_submitted_at__lt=older_than, receipts__isnull=True)
                .order_by("id").values_list("id", flat=True)[:limit])


def sweep_orphan_files(*, older_than_hours: float = 6, dry_run: bool = False,
                       storage: Storage | None = None) -> list[str]:
    """Delete stored files that no Document/Receipt row names and that are older than ``older_than_hours``
    (younger ones may belong to a transaction still running). Returns the names (deleted, or found with
    ``dry_run``); a deletion is audited as one entry."""
    storage = storage or default_storage
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    orphans = []
    for prefix, model in PREFIXES.items():
        if not storage.exists(prefix):
            continue
        for name in _walk(storage, prefix):
            if storage.get_modified_time(name) >= cutoff:
                continue
            if not _named(model, name):
                orphans.append(name)
    if orphans and not dry_run:
        for name in orphans:
            storage.delete(name)
        audit.record(actor=None, action="storage.orphans_deleted", object_type="storage",
                     details={"count": len(orphans), "older_than_hours": older_than_hours})
    return orphans
