"""The register checks in a real browser: the front office runs them on the demo's low-income case and sees the
mismatches (Ганна Пʼятниця's passport is reported lost, the same assistance is paid elsewhere); the back office
sees the results with their dates and the exchange log. The server is its own gunicorn configured with the
register simulator (a thread of this process, real HTTP) as its Трембіта security server."""
import threading

import pytest

from hromada.browser_testing import LiveServer, chromium_available, do_login, sign_out, wait_for_htmx
from hromada.registers.simulator.server import SimulatorServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def registers_server(tmp_path_factory):
    if not chromium_available():
        pytest.skip("!!! Debian chromium not found: browser tests SKIPPED (make browser installs it)")
    simulator = SimulatorServer("127.0.0.1", 0, seed=2)
    thread = threading.Thread(target=simulator.serve_forever, daemon=True)
    thread.start()
    server = LiveServer(tmp_path_factory.mktemp("registers-live"))
    server.env.update(HROMADA_TREMBITA_URL=simulator.url, HROMADA_TREMBITA_CLIENT="UA/GOV/12345678/HROMADA-TEST",
                      HROMADA_TREMBITA_SIMULATOR="1", HROMADA_TREMBITA_TIMEOUT="5")
    server.start()
    yield server
    server.stop()
    server.log.close()
    simulator.shutdown()
    simulator.server_close()


def _low_income_case(server) -> int:
    code = ("from hromada.applications.models import Application; "
            "print(Application.objects.get(service__code='low_income_family', "
            "applicant_person__id_document_number='ЖМ765432').pk)")
    return int(server.shell(code).strip().splitlines()[-1])


def test_front_office_sees_a_mismatch_and_back_office_the_results(registers_server, page, shot):
    url = registers_server.url
    pk = _low_income_case(registers_server)

    do_login(page, url, "front_demo")
    page.goto(f"{url}/front/{pk}/")
    panel = page.locator("#registers")
    assert "не перевірено" in panel.locator("#registers-state").inner_text()
    assert panel.locator("#registers-simulator").inner_text() == "тестовий реєстр"
    page.click("#run-register-checks")
    wait_for_htmx(page)
    panel = page.locator("#registers")
    identity = panel.locator("tr[id^='check-identity-identity_document']")
    assert identity.get_attribute("data-result") == "mismatch"
    assert "статус документа" in identity.inner_text()
    pension = panel.locator("tr[id^='check-pension-pension_status']")
    assert pension.get_attribute("data-result") == "mismatch"
    assert "Можливе подвійне призначення" in pension.inner_text()
    assert panel.locator("#registers-state").inner_text() == "є розбіжності"
    shot(page, "registers-01-front-mismatch")

    # The specialist saw the original passport: accepts the mismatch with a written reason.
    identity.locator("summary").click()
    identity.locator("textarea").fill("Оригінал паспорта пред’явлено, заяву про втрату відкликано")
    identity.get_by_role("button", name="Записати підставу").click()
    wait_for_htmx(page)
    assert "Прийнято попри розбіжність" in page.locator("tr[id^='check-identity-identity_document']").inner_text()

    sign_out(page)
    do_login(page, url, "back_demo")
    page.goto(f"{url}/back/cases/{pk}/")
    panel = page.locator("#registers")
    assert panel.locator("tr[id^='check-pension-pension_status']").get_attribute("data-result") == "mismatch"
    assert panel.locator("tr[id^='check-identity-identity_document']").get_attribute("data-result") == "mismatch"
    assert "Оригінал паспорта" in panel.inner_text()
    panel.locator("#exchange-log summary").click()
    assert "CheckIdentityDocument" in panel.locator("#exchange-log").inner_text()
    assert panel.locator("#income-used").count() == 1     # the income from ДПС for the calculator, with its source
    shot(page, "registers-02-back-results")
