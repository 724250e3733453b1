from types import SimpleNamespace

from hromada.core.context import CELERY_HEADER, current_request_id, request_id_var
from hromada.ops import celery_hooks


def test_request_id_generated_and_returned(client, db):
    response = client.get("/healthz")
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and int(rid, 16) >= 0
    assert client.get("/healthz")["X-Request-ID"] != rid


def test_request_id_taken_from_caller_when_well_formed(client, db):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-0123456789abcdef"})["X-Request-ID"] == "lb-0123456789abcdef"
    # Not an id (spaces, too long): replaced, never echoed into logs and headers.
    assert client.get("/healthz", headers={"X-Request-ID": "x y z <script>"})["X-Request-ID"] != "x y z <script>"
    assert len(client.get("/healthz", headers={"X-Request-ID": "a" * 200})["X-Request-ID"]) == 32


def test_request_id_is_published_with_the_task():
    headers = {}
    token = request_id_var.set("req-abcdef123456")
    try:
        celery_hooks.on_before_task_publish(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers[CELERY_HEADER] == "req-abcdef123456"
    # A header already there (a task started by a task) is kept.
    headers = {CELERY_HEADER: "first-0123456789"}
    celery_hooks.on_before_task_publish(headers=headers)
    assert headers[CELERY_HEADER] == "first-0123456789"


def test_worker_takes_request_id_from_the_message_and_resets_it():
    task = SimpleNamespace(name="x.task", request=SimpleNamespace(**{CELERY_HEADER: "req-from-web-1234"}))
    assert current_request_id() == ""
    celery_hooks.on_task_prerun(task_id="t-1", task=task)
    assert current_request_id() == "req-from-web-1234"
    celery_hooks.on_task_postrun(task_id="t-1", task=task, state="SUCCESS")
    assert current_request_id() == ""


def test_task_without_header_gets_its_task_id():
    task = SimpleNamespace(name="x.task", request=SimpleNamespace())
    celery_hooks.on_task_prerun(task_id="task-id-000111", task=task)
    try:
        assert current_request_id() == "task-id-000111"
    finally:
        celery_hooks.on_task_postrun(task_id="task-id-000111", task=task, state="SUCCESS")
