"""The offline form adds family members, lets a case the server refused be corrected (not only retried) and,
once the case is registered, prints the same receipt as the online intake."""
import io
from datetime import date

import pytest
from pypdf import PdfReader

from .test_offline_browser import scans

pytestmark = pytest.mark.browser


def test_family_member_corrected_after_refusal_then_receipt_printed(page, hromada_server, login, shot, tmp_path,
                                                                    unique):
    url = hromada_server.url
    applicant_rnokpp = unique.rnokpp(date(1991, 7, 9), "F")
    # The husband's number is a valid one (the check digit is right) but of someone born on another day: the form
    # lets it through, the server refuses it (РНОКПП does not match the birth date) and names the member.
    husband_rnokpp = unique.rnokpp(date(1989, 10, 20), "M")
    login(page, "front_demo")
    page.goto(f"{url}/front/offline/")
    page.wait_for_selector("#conn.conn:not(.off)")
    page.fill("#last_name", "Стефаник")
    page.fill("#first_name", "Ірина")
    page.fill("#birth_date", "1991-07-09")
    page.select_option("#sex", "F")
    page.fill("#rnokpp", applicant_rnokpp)
    page.fill("#doc_number", unique.id_card_number())
    page.select_option("#service", "birth_assistance")
    files = scans(tmp_path)
    page.set_input_files("#doc-application_form", files[0])
    page.set_input_files("#doc-identity_document", files[1])
    page.set_input_files("#doc-child_birth_certificate", files[2])

    page.click("#add-member")
    spouse = page.locator("#members .member").nth(0)
    spouse.locator("[data-field=relation]").select_option("spouse")
    spouse.locator("[data-field=last_name]").fill("Стефаник")
    spouse.locator("[data-field=first_name]").fill("Богдан")
    spouse.locator("[data-field=birth_date]").fill("1989-10-21")  # a day off: the server will refuse
    spouse.locator("[data-field=sex]").select_option("M")
    spouse.locator("[data-field=rnokpp]").fill(husband_rnokpp)
    spouse.locator("[data-field=doc_number]").fill(unique.id_card_number())
    page.click("#add-member")
    child = page.locator("#members .member").nth(1)
    child.locator("[data-field=relation]").select_option("child")
    child.locator("[data-field=last_name]").fill("Стефаник")
    child.locator("[data-field=first_name]").fill("Тарас")
    child.locator("[data-field=birth_date]").fill("2025-11-30")
    child.locator("[data-field=sex]").select_option("M")
    child.locator("[data-field=doc_type]").select_option("birth_certificate")
    child.locator("[data-field=doc_number]").fill(unique.birth_certificate_number())
    # A member without a number, with an ID card and no reason, is stopped in the browser, naming the row.
    child.locator("[data-field=doc_type]").select_option("id_card")
    page.click("#offline-form button[type=submit]")
    error = page.locator("#form-error")
    assert error.is_visible() and "Член сім’ї №2 (Стефаник Тарас)" in error.inner_text()
    child.locator("[data-field=doc_type]").select_option("birth_certificate")
    page.click("#offline-form button[type=submit]")

    row = page.locator("#pending tr.case").first
    page.wait_for_selector("#pending tr.case-error")
    assert "Член сім’ї №1 (Стефаник Богдан): Дата народження" in row.inner_text()
    assert row.locator(".badge").inner_text() == "Помилка"
    shot(page, "offline-17-case-refused")

    # Correct, not only retry: the case comes back into the form with everything typed and the scans kept.
    row.locator("button.edit-case").click()
    assert page.locator("#edit-note").is_visible()
    assert "Член сім’ї №1" in page.locator("#edit-error").inner_text()
    assert "scan0.png" in page.locator("#edit-files").inner_text()
    assert page.input_value("#last_name") == "Стефаник" and page.input_value("#rnokpp") == applicant_rnokpp
    assert page.locator("#members .member").count() == 2
    assert spouse.locator("[data-field=rnokpp]").input_value() == husband_rnokpp
    assert child.locator("[data-field=doc_type]").input_value() == "birth_certificate"
    shot(page, "offline-17-case-reopened")
    spouse.locator("[data-field=birth_date]").fill("1989-10-20")
    page.click("#offline-form button[type=submit]")  # no scan re-added: the kept ones go with the case

    page.wait_for_selector("#pending tr.case-sent")
    assert page.locator("#pending tr.case").count() == 1  # the same case, corrected — not a second one
    assert not page.locator("#edit-note").is_visible()
    number = row.locator(".number").inner_text().split()[-1]
    receipt = row.locator("a.receipt")
    assert receipt.inner_text() == "Друкувати розписку"
    shot(page, "offline-17-case-sent-receipt")
    res = page.request.get(url + receipt.get_attribute("href"))
    assert res.status == 200 and res.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(res.body())).pages).split())
    assert "Повідомлення про прийняття заяви" in text and number in text and "Стефаник Ірина" in text

    out = hromada_server.shell(
        "from hromada.applications.models import Application;"
        f"a = Application.objects.get(number='{number}');"
        "print(sorted((p.role, p.person.first_name) for p in a.people));"
        "print(sorted((h.relation, h.member.first_name) for h in a.applicant_person.household.all()));"
        "print(a.documents.count())")
    lines = out.strip().splitlines()
    assert lines[-3] == "[('applicant', 'Ірина'), ('family_member', 'Богдан'), ('family_member', 'Тарас')]"
    assert lines[-2] == "[('child', 'Тарас'), ('spouse', 'Богдан')]"
    assert lines[-1] == "3"
