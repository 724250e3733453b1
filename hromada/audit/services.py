"""The one function every app calls to audit a read or a change: ``record``; and the chain check."""
from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hromada.ops.context import current_request_id

from .models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def entry_hash(prev_hash: str, fields: dict) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def hashed_fields(entry: AuditEntry) -> dict:
    return {
        "at": entry.at.astimezone(UTC).isoformat(), "actor_id": entry.actor_id,
        "actor_username": entry.actor_username, "actor_role": entry.actor_role, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id, "hromada_id": entry.hromada_id,
        "ip": entry.ip, "request_id": entry.request_id, "details": entry.details,
    }


def _normalize_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The caller's address. Behind our own reverse proxy (SECURE_PROXY_SSL_HEADER set) the proxy appends
    the real peer to X-Forwarded-For, so the *last* entry is trusted; earlier ones are client-supplied."""
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded and _normalize_ip(forwarded[-1]):
            return _normalize_ip(forwarded[-1])
    return _normalize_ip(request.META.get("REMOTE_ADDR"))


def request_id_for(request) -> str:
    """The request's correlation id: set by hromada.ops' RequestIdMiddleware, else assigned here once.
    A well-formed incoming X-Request-ID (from our proxy) is kept so logs can be joined."""
    if request is None:
        return current_request_id()  # a Celery task started by a request carries its id
    rid = getattr(request, "request_id", "")
    if not rid:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
    return rid


# No savepoint of its own inside the caller's transaction (a failed append fails the whole change anyway).
@transaction.atomic(savepoint=False)
def record(*, actor, action: str, obj=None, object_type: str = "", object_id=None, hromada_id=None,
           request=None, details: dict | None = None) -> AuditEntry:
    """Append one entry (who, when, what, from where). Call it inside the service's transaction so a
    rolled-back change leaves no entry, and for reads/downloads/exports right where they happen.

    Personal data does not go into ``details``: identify objects by type and id.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if hromada_id is None:
            hromada_id = getattr(obj, "hromada_id", None)
    # The head row is locked: appends are serialised, so id order is chain order.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    authenticated = getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        at=timezone.now(), actor=actor if authenticated else None,
        actor_username=actor.username if authenticated else "", actor_role=getattr(actor, "role", "") or "",
        action=action, object_type=object_type, object_id="" if object_id is None else str(object_id)[:64],
        hromada_id=hromada_id, ip=client_ip(request), request_id=request_id_for(request),
        details=json.loads(json.dumps(details or {}, default=str)), prev_hash=head.last_hash)
    entry.hash = entry_hash(entry.prev_hash, hashed_fields(entry))
    entry.save()
    head.last_id, head.last_hash = entry.pk, entry.hash
    head.save(update_fields=["last_id", "last_hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    kind: str          # edited | broken_link (deleted or inserted before) | head_mismatch (tail deleted/appended)
    entry_id: int | None
    position: int | None
    message: str


def verify_chain(*, batch_size: int = 2000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain in id order; return (entries checked, problems).

    * an entry whose stored hash differs from the hash of its content was edited;
    * an entry whose prev_hash is not the previous entry's hash follows a deleted entry or is inserted;
    * the chain head (last id/hash) not matching the last entry means the tail was deleted or extended.
    """
    problems: list[ChainProblem] = []
    prev_hash, prev_id, position = GENESIS, None, 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            break
        for entry in batch:
            position += 1
            if entry.prev_hash != prev_hash:
                after = f"after entry {prev_id}" if prev_id else "at the start of the chain"
                problems.append(ChainProblem(
                    "broken_link", entry.pk, position,
                    f"entry {entry.pk} (position {position}): link to the previous entry broken {after} — "
                    f"an entry was deleted before it, or it was inserted"))
            if entry_hash(entry.prev_hash, hashed_fields(entry)) != entry.hash:
                problems.append(ChainProblem(
                    "edited", entry.pk, position,
                    f"entry {entry.pk} (position {position}): content does not match its hash — edited"))
            prev_hash, prev_id = entry.hash, entry.pk
        last_id = batch[-1].pk
    head = AuditChainHead.objects.filter(pk=1).first()
    head_id, head_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
    if (head_id or None) != prev_id or head_hash != prev_hash:
        problems.append(ChainProblem(
            "head_mismatch", prev_id, position or None,
            f"chain head points to entry {head_id or '—'} but the last entry is {prev_id or '—'} "
            f"(position {position}) — entries at the end were deleted or appended outside the application"))
    return position, problems
