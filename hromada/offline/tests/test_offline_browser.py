"""The front office keeps working with the server down, and the case arrives exactly once when it is back."""
from datetime import date

import pytest
from PIL import Image

pytestmark = pytest.mark.browser


def scans(tmp_path):
    paths = []
    for i, color in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)]):
        path = tmp_path / f"scan{i}.png"
        Image.new("RGB", (60, 40), color).save(path)
        paths.append(str(path))
    return paths


def count_cases(server, rnokpp) -> int:
    out = server.shell(
        "from hromada.applications.models import Application;"
        f"print(Application.objects.filter(applicant_person__rnokpp='{rnokpp}').count())")
    return int(out.strip().splitlines()[-1])


def test_intake_survives_server_cut_and_arrives_once(page, hromada_server, login, shot, tmp_path, unique):
    url = hromada_server.url
    rnokpp, doc_number = unique.rnokpp(date(1987, 2, 3), "F"), unique.id_card_number()
    login(page, "front_demo")
    page.goto(f"{url}/front/offline/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null || true")
    page.reload()  # the page is now controlled by the service worker and cached
    page.wait_for_selector("#conn.conn:not(.off)")

    hromada_server.stop()  # power cut at the server / lost connection
    try:
        page.fill("#last_name", "Ярошенко")
        page.fill("#first_name", "Галина")
        page.fill("#patronymic", "Іванівна")
        page.fill("#birth_date", "1987-02-03")
        page.select_option("#sex", "F")
        page.fill("#rnokpp", rnokpp)
        page.fill("#doc_number", doc_number)
        page.select_option("#service", "birth_assistance")
        files = scans(tmp_path)
        page.set_input_files("#doc-application_form", files[0])
        page.set_input_files("#doc-identity_document", files[1])
        page.set_input_files("#doc-child_birth_certificate", files[2])
        page.click("#offline-form button[type=submit]")
        row = page.locator("#pending tr.case").first
        row.wait_for()
        assert "Не надіслано" in row.inner_text()
        page.wait_for_selector("#conn.off")
        shot(page, "offline-1-saved-without-server")
        # Reload with the server still down: the service worker serves the page, IndexedDB keeps the case.
        page.reload()
        # The list is read from IndexedDB after the page loads: until then it says so (not "nothing").
        page.locator("#pending tr.case").first.wait_for()
        assert "Ярошенко" in page.locator("#pending").inner_text()
        assert "Не надіслано" in page.locator("#pending").inner_text()
        shot(page, "offline-2-after-reload-offline")
    finally:
        hromada_server.start()

    page.wait_for_selector("#pending tr.case-sent", timeout=30000)
    text = page.locator("#pending").inner_text()
    assert "Надіслано" in text
    shot(page, "offline-3-sent-when-back")
    assert count_cases(hromada_server, rnokpp) == 1
    # Another round of syncing (reload, timers) never sends it again.
    page.reload()
    page.wait_for_timeout(5000)
    assert count_cases(hromada_server, rnokpp) == 1


def test_conflict_is_shown_not_merged(page, hromada_server, login, shot, tmp_path, unique):
    url = hromada_server.url
    rnokpp = unique.rnokpp(date(1979, 8, 9), "M")
    typed_doc, registered_doc = unique.id_card_number(), unique.id_card_number()
    login(page, "front_demo")
    page.goto(f"{url}/front/offline/")
    page.wait_for_selector("#conn.conn:not(.off)")
    hromada_server.stop()
    try:
        page.fill("#last_name", "Дмитренко")
        page.fill("#first_name", "Петро")
        page.fill("#birth_date", "1979-08-09")
        page.select_option("#sex", "M")
        page.fill("#rnokpp", rnokpp)
        page.fill("#doc_number", typed_doc)
        page.select_option("#service", "birth_assistance")
        files = scans(tmp_path)
        page.set_input_files("#doc-application_form", files[0])
        page.set_input_files("#doc-identity_document", files[1])
        page.set_input_files("#doc-child_birth_certificate", files[2])
        page.click("#offline-form button[type=submit]")
        page.locator("#pending tr.case-pending").first.wait_for()
    finally:
        # Meanwhile the same resident was registered at another front office.
        hromada_server.shell(
            "from hromada.accounts.models import User; from hromada.persons.services import register_person;"
            "register_person(actor=User.objects.get(username='front2_demo'), data={'last_name': 'Дмитренко',"
            "'first_name': 'Петро', 'birth_date': '1979-08-09', 'sex': 'M', 'rnokpp': '%s',"
            "'id_document': {'type': 'id_card', 'number': '%s'}})" % (rnokpp, registered_doc))
        hromada_server.start()
    conflict = page.locator("#pending tr.case-conflict").first
    conflict.wait_for(timeout=30000)
    assert "Тетерівська" not in conflict.inner_text()   # another hromada's resident: named nowhere (#16)
    shot(page, "offline-4-conflict")
    assert count_cases(hromada_server, rnokpp) == 0
    conflict.locator("button.use-existing").click()
    page.wait_for_selector("#pending tr.case-sent", timeout=30000)
    assert count_cases(hromada_server, rnokpp) == 1
