"""`manage.py check_stack`: the readiness checks of /readyz for operators (exit 1 when not ready).

--worker: also send a probe task through the broker and wait until a worker completes it.
"""
from __future__ import annotations

import json
import time
import uuid

from django.core.management.base import BaseCommand

from hromada.ops import health, services
from hromada.ops.models import WorkerProbe
from hromada.ops.tasks import worker_probe


class Command(BaseCommand):
    help = "Перевіряє базу даних, міграції, брокер і сховище (як /readyz); код виходу 1, якщо не готово."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="вивести JSON, як /readyz")
        parser.add_argument("--worker", action="store_true", help="також перевірити, що обробник задач працює")
        parser.add_argument("--timeout", type=float, default=30, help="скільки секунд чекати на обробника")

    def handle(self, *args, **options):
        report = health.readiness()
        if options["worker"]:
            report["checks"]["worker"] = self._probe_worker(options["timeout"])
            if not report["checks"]["worker"]["ok"]:
                report["status"] = "not_ready"
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            for name, check in report["checks"].items():
                mark = "OK  " if check["ok"] else "FAIL"
                self.stdout.write(f"{mark} {name:<11} {check['ms']:>8.1f} ms  {check['detail']}")
            self.stdout.write(f"status: {report['status']}")
        if report["status"] != "ready":
            raise SystemExit(1)

    def _probe_worker(self, timeout: float) -> dict:
        token = f"check-{uuid.uuid4().hex}"
        services.request_worker_probe(token=token, seconds=0)
        begun = time.perf_counter()
        worker_probe.delay(token)
        while time.perf_counter() - begun < timeout:
            if WorkerProbe.objects.filter(token=token, completed_at__isnull=False).exists():
                ms = round((time.perf_counter() - begun) * 1000, 1)
                return {"ok": True, "ms": ms, "detail": "probe task completed"}
            time.sleep(0.2)
        return {"ok": False, "ms": round(timeout * 1000, 1), "detail": "no worker completed the probe task"}
