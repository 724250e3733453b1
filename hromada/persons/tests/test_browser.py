"""front_demo finds a resident, registers a new person and their child as a household member (Chromium)."""
from datetime import date

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BARANIVKA = "UA18080010010059187"
# Browser tests share one server database for the whole session: the numbers typed here come from ``unique``, or a
# case registered earlier (the offline desk's) could make this registration an exact duplicate.


def fill_person(page, *, last, first, patronymic, born, sex, rnokpp, doc_type, doc_number):
    page.fill("#id_last_name", last)
    page.fill("#id_first_name", first)
    page.fill("#id_patronymic", patronymic)
    page.fill("#id_birth_date", born.isoformat())
    page.check("#id_sex_0" if sex == "M" else "#id_sex_1")
    page.fill("#id_rnokpp", rnokpp)
    page.select_option("#id_id_document_type", doc_type)
    page.fill("#id_id_document_number", doc_number)


def test_register_person_with_household_member(page, live_server_url, login, shot, unique):
    login(page, "front_demo")
    page.click("nav.nav >> text=Особи")
    expect(page.locator("h1")).to_have_text("Знайти особу")
    page.fill("#q", "коваленко")                     # htmx live results, no submit
    page.wait_for_selector("#results >> text=Коваленко Марія Іванівна")
    shot(page, "persons-01-search")

    page.click("text=Зареєструвати особу")
    born = date(1975, 5, 5)
    women_number, rnokpp = unique.rnokpp(born, "F"), unique.rnokpp(born, "M")
    fill_person(page, last="Фурман", first="Тарас", patronymic="Олегович", born=born, sex="M",
                rnokpp=women_number, doc_type="id_card", doc_number=unique.id_card_number())
    page.fill("#settlement_q", "Баранівка")
    page.wait_for_selector(f"#id_settlement_code option[value={BARANIVKA}]", state="attached")
    page.select_option("#id_settlement_code", BARANIVKA)
    page.fill("#id_street", "вул. Житомирська")
    page.fill("#id_house", "21")
    page.fill("#id_phone", "067 555 44 33")
    page.click("button[type=submit].primary")
    # РНОКПП made for a woman: the inline error names the mismatch, nothing is saved.
    expect(page.locator("form.person-form")).to_contain_text("Стать, закодована в РНОКПП")
    shot(page, "persons-02-register-inline-error")
    page.fill("#id_rnokpp", rnokpp)
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('Фурман Тарас Олегович')")
    expect(page.locator("dl.kv")).to_contain_text("+380675554433")
    shot(page, "persons-03-card")

    page.click("text=Додати члена домогосподарства")
    page.click("text=Зареєструвати нового члена домогосподарства")
    child_born = date(2017, 9, 1)
    fill_person(page, last="Фурман", first="Злата", patronymic="Тарасівна", born=child_born, sex="F",
                rnokpp=unique.rnokpp(child_born, "F"), doc_type="birth_certificate",
                doc_number=unique.birth_certificate_number())
    page.select_option("#id_relation", "child")
    shot(page, "persons-04-member-form")
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('Фурман Тарас Олегович')")
    household = page.locator("section[aria-labelledby=hh-title]").inner_text()
    assert "Фурман Злата Тарасівна" in household and "дитина" in household
    shot(page, "persons-05-card-with-household")

    # The same person typed again with another number: the duplicate warning with the candidate.
    page.goto(f"{live_server_url}/persons/new/")
    fill_person(page, last="ФУРМАН", first="тарас", patronymic="", born=born, sex="M",
                rnokpp=unique.rnokpp(born, "M"), doc_type="id_card", doc_number=unique.id_card_number())
    page.click("button[type=submit].primary")
    warning = page.locator("section.dup").inner_text()
    assert "Можливо, цю особу вже зареєстровано" in warning and "Фурман Тарас Олегович" in warning
    shot(page, "persons-06-possible-duplicate")
