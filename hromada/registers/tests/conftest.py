"""The register simulator on a free port in a thread of the test process: the client talks to it over real HTTP."""
import threading

import pytest

from hromada.registers.simulator.server import SimulatorServer


@pytest.fixture(scope="session")
def simulator_server():
    server = SimulatorServer("127.0.0.1", 0, seed=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def simulator(simulator_server, settings):
    """The simulator, reset, configured as the security server (fast timeouts, no waiting between retries)."""
    simulator_server.simulator.reset()
    settings.HROMADA_TREMBITA_URL = simulator_server.url
    settings.HROMADA_TREMBITA_CLIENT = "UA/GOV/12345678/HROMADA-TEST"
    settings.HROMADA_TREMBITA_SIMULATOR = True
    settings.HROMADA_TREMBITA_TIMEOUT = 1.0
    settings.HROMADA_TREMBITA_CONNECT_TIMEOUT = 1.0
    settings.HROMADA_TREMBITA_RETRIES = 1
    settings.HROMADA_TREMBITA_RETRY_DELAY = 0
    settings.HROMADA_TREMBITA_BREAKER_FAILURES = 3
    settings.HROMADA_TREMBITA_BREAKER_SECONDS = 60
    return simulator_server.simulator
