"""The offline form checks what the server would refuse before the case is stored: the РНОКПП's check digit, and
without a number a recorded reason (a child with a birth certificate needs none)."""
from datetime import date

import pytest

from .test_offline_browser import scans

pytestmark = pytest.mark.browser


def test_offline_form_validates_rnokpp_and_allows_no_number_with_its_reason(page, hromada_server, login, tmp_path,
                                                                            unique):
    login(page, "front_demo")
    page.goto(f"{hromada_server.url}/front/offline/")
    page.fill("#last_name", "Довбуш")
    page.fill("#first_name", "Олена")
    page.fill("#birth_date", "1990-06-01")
    page.select_option("#sex", "F")
    page.fill("#doc_number", unique.id_card_number())
    page.select_option("#service", "birth_assistance")
    files = scans(tmp_path)
    page.set_input_files("#doc-application_form", files[0])
    page.set_input_files("#doc-identity_document", files[1])
    page.set_input_files("#doc-child_birth_certificate", files[2])
    good = unique.rnokpp(date(1990, 6, 1), "F")
    wrong = good[:9] + str((int(good[9]) + 1) % 10)
    error = page.locator("#form-error")

    page.fill("#rnokpp", wrong)
    page.click("#offline-form button[type=submit]")
    assert error.is_visible() and "контрольна" in error.inner_text()
    assert page.locator("#pending tr.case").count() == 0

    page.fill("#rnokpp", "")
    page.click("#offline-form button[type=submit]")
    assert error.is_visible() and "причину його відсутності" in error.inner_text()
    assert page.locator("#pending tr.case").count() == 0

    page.fill("#no_rnokpp_reason", "Відмова від РНОКПП через релігійні переконання")
    page.select_option("#doc_type", "passport")
    page.fill("#doc_number", unique.passport_number())
    page.click("#offline-form button[type=submit]")
    page.locator("#pending tr.case").first.wait_for()
    assert "Довбуш" in page.locator("#pending").inner_text()
