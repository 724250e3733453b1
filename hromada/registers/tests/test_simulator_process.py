"""The simulator as the separate process `make run` starts (python -m hromada.registers.simulator), and the
client's immediate retry of a transient failure."""
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from hromada.browser_testing import ROOT, free_port
from hromada.registers import xroad

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator_process(settings):
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hromada.settings_test"}
    proc = subprocess.Popen([sys.executable, "-m", "hromada.registers.simulator", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}simulator/state", timeout=1):  # noqa: S310 (local)
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode()) from None
            time.sleep(0.1)
    settings.HROMADA_TREMBITA_URL = url
    settings.HROMADA_TREMBITA_CLIENT = "UA/GOV/12345678/HROMADA-TEST"
    settings.HROMADA_TREMBITA_RETRIES = 2
    settings.HROMADA_TREMBITA_RETRY_DELAY = 0
    yield url
    proc.terminate()
    proc.wait(10)


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",  # noqa: S310 (local)
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (local)
        return json.loads(answer.read())


def test_separate_process_answers_and_a_transient_failure_is_retried_at_once(simulator_process):
    _post(f"{simulator_process}simulator/config", {"identity": {"fail_next": 1}})
    result = xroad.call("identity", "CheckIdentityDocument", user_id="UA-test", documentType="id_card",
                        documentNumber="001234567")
    assert [e.outcome for e in result.exchanges] == ["fault", "ok"]
    assert "ServiceFailed" in result.exchanges[0].detail and result.exchanges[0].request_id != result.last.request_id
    assert result.ok and result.body["status"] == "valid" and result.last.via_simulator
    # A birth added through the control endpoint is in the feed.
    added = _post(f"{simulator_process}simulator/births", {"katottg": "UA18080010000090720"})
    feed = xroad.call("civil", "GetBirthRegistrations", user_id="system", katottg="UA18080010000090720",
                      afterSequence=added["sequence"] - 1)
    assert [r["sequence"] for r in feed.body["registration"]] == [added["sequence"]]
