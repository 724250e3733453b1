"""Progress of an on-demand rebuild of the aggregates, for the page that asked for it (#23 p.6).

The task writes, after each month, how many of the period's months are rebuilt into the cache under the id the
request got back; the dashboard polls it (htmx) and shows a progress bar — the request itself never rebuilds."""
from __future__ import annotations

import uuid

from django.core.cache import cache
from django.utils import timezone

KEEP = 3600


def _key(job_id: str) -> str:
    return f"hromada:monitoring:refresh:{job_id}"


def new_job(period_code: str, total: int) -> str:
    job_id = uuid.uuid4().hex
    cache.set(_key(job_id), {"period": period_code, "done": 0, "total": total, "status": "queued",
                             "at": timezone.now().isoformat()}, KEEP)
    return job_id


def update(job_id: str | None, *, done: int, total: int, status: str) -> None:
    if not job_id:
        return
    state = cache.get(_key(job_id)) or {}
    cache.set(_key(job_id), {**state, "done": done, "total": total, "status": status,
                             "at": timezone.now().isoformat()}, KEEP)


def state(job_id: str) -> dict | None:
    found = cache.get(_key(job_id)) if job_id and job_id.isalnum() else None
    if not found:
        return None
    total = found.get("total") or 1
    return {**found, "job_id": job_id, "percent": int(100 * found.get("done", 0) / total),
            "active": found.get("status") in ("queued", "running")}
