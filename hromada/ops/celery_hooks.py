"""Celery signal handlers: request id into and out of task headers, task metrics, failed-task records.

Connected once from OpsConfig.ready(); they run both in the web process (publishing) and in workers.
"""
from __future__ import annotations

import contextlib
import logging
import time
import traceback as tb

from celery import signals

from hromada.core.context import CELERY_HEADER, current_request_id, new_request_id, request_id_var

from . import services
from .metrics import TASK_DURATION, TASK_FAILURES, TASK_RETRIES

log = logging.getLogger(__name__)

_started: dict[str, tuple[float, object]] = {}


def on_before_task_publish(sender=None, headers=None, **kwargs):
    """Put the current request id into the message so the task logs under the same id."""
    if headers is not None and not headers.get(CELERY_HEADER):
        headers[CELERY_HEADER] = current_request_id() or new_request_id()


def on_task_prerun(sender=None, task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    # From the message header; an eager task (no broker) keeps the request id of the code that called it.
    request_id = (getattr(request, CELERY_HEADER, None) or current_request_id() or task_id or new_request_id())
    token = request_id_var.set(request_id)
    _started[task_id] = (time.monotonic(), token)


def on_task_postrun(sender=None, task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    if started is None:
        return
    begun, token = started
    TASK_DURATION.labels(task=getattr(task, "name", str(sender)), state=state or "UNKNOWN").observe(
        time.monotonic() - begun)
    with contextlib.suppress(ValueError):  # reset from another context: leave the value as it is
        request_id_var.reset(token)


def on_task_retry(sender=None, request=None, reason=None, **kwargs):
    TASK_RETRIES.labels(task=getattr(sender, "name", str(sender))).inc()
    log.warning("task retry", extra={"task": getattr(sender, "name", ""), "reason": str(reason)[:200]})


def on_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra):
    """task_failure fires once a task has failed for good (a retry raises Retry and fires task_retry)."""
    name = getattr(sender, "name", str(sender))
    TASK_FAILURES.labels(task=name).inc()
    request = getattr(sender, "request", None)
    trace = str(einfo) if einfo is not None else "".join(tb.format_exception(exception))
    try:
        services.record_failed_task(
            task_id=task_id or "", task_name=name, args=args, kwargs=kwargs, exception=exception,
            traceback=trace, retries=getattr(request, "retries", 0) or 0, request_id=current_request_id(),
        )
    except Exception:  # the database may be what failed; the log line still tells the operator
        log.exception("could not record a failed task", extra={"task": name, "task_id": task_id})


def connect() -> None:
    signals.before_task_publish.connect(on_before_task_publish, weak=False, dispatch_uid="hromada.ops.publish")
    signals.task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="hromada.ops.prerun")
    signals.task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="hromada.ops.postrun")
    signals.task_retry.connect(on_task_retry, weak=False, dispatch_uid="hromada.ops.retry")
    signals.task_failure.connect(on_task_failure, weak=False, dispatch_uid="hromada.ops.failure")
