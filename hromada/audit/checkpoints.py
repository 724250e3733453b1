"""Signed checkpoints of the audit chain, kept outside the database.

The hash chain shows an edit only to someone who knows the chain as it was: whoever may write the table could
rewrite every entry after the edited one and the head, and the chain would look intact. So every hour (Celery beat,
``hromada.ops.tasks.audit_checkpoint``) the head of every chain — last entry id, number of entries of the chain up
to it, its hash — and the time are signed (HMAC-SHA256, key ``HROMADA_AUDIT_CHECKPOINT_KEY``) and written as one
new file to the ``audit_checkpoints`` storage, which only ever adds files: a directory of write-once files locally,
an S3 bucket with Object Lock (compliance mode) in production (docs/operations.md). The line is also logged, so the
central log store keeps a copy. ``verify_audit`` then checks that the chain still has, at each checkpoint's
position, the entry and hash the checkpoint recorded: a chain cut short, rewritten or re-hashed since no longer
matches.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import blocks
from .models import AuditChainHead, AuditEntry

# /1: one chain (read as chain 0); /2: every chain's head in one signed file.
FORMAT = "hromada-audit-checkpoint/2"
FORMAT_1 = "hromada-audit-checkpoint/1"
STORAGE = "audit_checkpoints"
log = logging.getLogger(__name__)


class CheckpointExists(Exception):
    """A checkpoint file of that name is already stored (never overwritten)."""


class WriteOnceFileSystemStorage(FileSystemStorage):
    """Adds files, read-only once written; never overwrites, renames or deletes one through Django.

    (Whoever has a shell as the files' owner can still remove them: in production use a store the
    application cannot delete from — S3 Object Lock, or a directory on another host.)"""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o440)
        kwargs.setdefault("directory_permissions_mode", 0o750)
        super().__init__(**kwargs)

    def get_available_name(self, name, max_length=None):
        if self.exists(name):
            raise CheckpointExists(name)
        return name

    def delete(self, name):
        raise PermissionError(f"audit checkpoints are never deleted: {name}")


@dataclass(frozen=True)
class Checkpoint:
    name: str
    entry_id: int
    count: int
    hash: str
    at: str
    valid: bool  # the signature matches (with the current key)
    chain: int = 0

    def payload(self) -> dict:
        """The signed content of a one-chain (format /1) checkpoint."""
        return {"format": FORMAT_1, "entry_id": self.entry_id, "count": self.count, "hash": self.hash, "at": self.at}

    def head(self) -> dict:
        return {"chain": self.chain, "entry_id": self.entry_id, "count": self.count, "hash": self.hash}


def _key() -> bytes:
    key = getattr(settings, "HROMADA_AUDIT_CHECKPOINT_KEY", "")
    if key:
        return key.encode()
    # No key of its own: derived from SECRET_KEY (also from the environment, never in the database).
    return hmac.new(settings.SECRET_KEY.encode(), b"hromada-audit-checkpoint", hashlib.sha256).digest()


def sign(payload: dict) -> str:
    message = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def storage():
    return storages[STORAGE]


def current_heads() -> list[tuple[int, int, int, str]]:
    """(chain, last entry id, entries of the chain up to it, its hash) of every non-empty chain, as the heads say.

    Appends to a chain are serialised on its head's row lock and take their id under it, so no entry of the chain
    with a smaller id can commit later: counting the chain's entries up to its last id is a consistent figure
    (one pass over the log for all chains)."""
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":   # no pack moves entries into blocks while they are counted
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [blocks.PACK_LOCK])
        heads = [(h.chain, h.last_id, h.last_hash)
                 for h in AuditChainHead.objects.filter(last_id__gt=0).order_by("chain")]
        if not heads:
            return []
        # The packed entries are counted from their blocks, the rows after them one by one.
        through = blocks.packed_through()
        packed = blocks.chain_counts()
        counts = AuditEntry.objects.filter(pk__gt=through).aggregate(**{
            f"c{chain}": Count("id", filter=Q(chain=chain, id__lte=last_id)) for chain, last_id, _hash in heads})
    return [(chain, last_id, packed.get(chain, 0) + counts[f"c{chain}"], last_hash)
            for chain, last_id, last_hash in heads]


def current_head() -> tuple[int, int, str] | None:
    """(last entry id, entries in the log, its hash) of the newest entry — the summary ``verify_audit`` prints."""
    heads = current_heads()
    if not heads:
        return None
    chain, last_id, _count, last_hash = max(heads, key=lambda h: h[1])
    return last_id, sum(h[2] for h in heads), last_hash


def write_checkpoint() -> Checkpoint | None:
    """Sign every chain's current head into one new file (and log it). Returns the checkpoint of the chain with the
    newest entry (its ``name`` is the file's); None for an empty log."""
    heads = current_heads()
    if not heads:
        return None
    now = timezone.now()
    newest = max(heads, key=lambda h: h[1])
    name = f"{now:%Y/%m/%Y%m%dT%H%M%S%fZ}-{newest[1]}.json"
    checkpoints = [Checkpoint(name=name, entry_id=entry_id, count=count, hash=head_hash, at=now.isoformat(),
                              valid=True, chain=chain) for chain, entry_id, count, head_hash in heads]
    payload = {"format": FORMAT, "at": now.isoformat(), "chains": [c.head() for c in checkpoints]}
    body = json.dumps({**payload, "signature": sign(payload)}, sort_keys=True).encode()
    stored = storage().save(name, ContentFile(body))
    if stored != name:
        raise CheckpointExists(f"{name} stored as {stored}")
    log.info("audit checkpoint", extra={"audit_checkpoint": {**payload, "name": name}})
    return next(c for c in checkpoints if c.entry_id == newest[1])


def _names(prefix: str = "") -> list[str]:
    try:
        dirs, files = storage().listdir(prefix)
    except FileNotFoundError:
        return []
    names = [f"{prefix}{name}" for name in files if name.endswith(".json")]
    for sub in dirs:
        names.extend(_names(f"{prefix}{sub}/"))
    return sorted(names)


def _read(name: str, data: dict) -> list[Checkpoint]:
    if data.get("format") == FORMAT_1:   # written before the log had chains: chain 0
        checkpoint = Checkpoint(name=name, entry_id=int(data["entry_id"]), count=int(data["count"]),
                                hash=str(data["hash"]), at=str(data["at"]), valid=False)
        valid = hmac.compare_digest(str(data.get("signature", "")), sign(checkpoint.payload()))
        return [Checkpoint(**{**checkpoint.__dict__, "valid": valid})]
    if data.get("format") != FORMAT:
        raise ValueError("unknown checkpoint format")
    # Everything in the file but the signature is signed: any change, an added key too, breaks it.
    payload = {k: v for k, v in data.items() if k != "signature"}
    valid = hmac.compare_digest(str(data.get("signature", "")), sign(payload))
    return [Checkpoint(name=name, entry_id=int(h["entry_id"]), count=int(h["count"]), hash=str(h["hash"]),
                       at=str(data["at"]), valid=valid, chain=int(h["chain"])) for h in data["chains"]]


def load_checkpoints() -> list[Checkpoint]:
    """Every stored checkpoint (one per chain per file), oldest file first; one that cannot be read or whose
    signature does not match is returned with ``valid=False`` (verify_audit reports it)."""
    result = []
    for name in _names():
        try:
            with storage().open(name, "rb") as handle:
                data = json.loads(handle.read())
            result.extend(_read(name, data))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            result.append(Checkpoint(name=name, entry_id=0, count=0, hash="", at="", valid=False))
    return result
