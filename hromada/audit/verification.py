"""The chain's verification state for the audit log page: a task walks the chain (hourly, and on the auditor's
request) and leaves its result in the cache; the page reads it, never walks the chain inside a request.

The walk is ``services.verify_chain`` with the signed checkpoints, whatever layout the chain has."""
from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

CACHE_KEY = "hromada:audit:verification"
KEEP = 7 * 24 * 3600


def run_verification() -> dict:
    from .checkpoints import load_checkpoints
    from .services import verify_chain

    started = timezone.now()
    checkpoints = load_checkpoints()
    checked, problems = verify_chain(checkpoints=checkpoints)
    # One file signs every chain's head: count files, as ``verify_audit`` does, not chains.
    result = {"at": started.isoformat(), "checked": checked, "checkpoints": len({c.name for c in checkpoints}),
              "ok": not problems,
              "problems": [{"kind": p.kind, "entry_id": p.entry_id, "message": p.message} for p in problems[:20]],
              "problem_count": len(problems)}
    cache.set(CACHE_KEY, result, KEEP)
    return result


def last_verification() -> dict | None:
    """The latest walk's result (``at`` as datetime), or None when none has run since the cache was emptied."""
    result = cache.get(CACHE_KEY)
    if not result:
        return None
    from datetime import datetime
    return {**result, "at": datetime.fromisoformat(result["at"])}
