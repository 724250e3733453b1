"""From the application at the front office to the first delivery, in Chromium: front_demo registers the
application and hands out the receipt, social_demo assesses, decides and approves the plan, provider_demo logs
the first visit on the phone page (screenshots in var/screenshots/)."""
import re

import pytest

from hromada.browser_testing import wait_for_htmx

pytestmark = pytest.mark.browser


def test_application_to_first_delivery(page, context, live_server_url, login, shot):
    login(page, "front_demo")
    page.goto(f"{live_server_url}/social/new/")
    page.locator("#pick-person").click()
    page.locator("#q").fill("Коваленко Софія")
    page.locator("#q").press("Enter")
    page.get_by_role("link", name="Обрати").first.click()
    page.wait_for_url("**/social/new/?person=*")
    assert "Коваленко Софія" in page.locator("#applicant-name").inner_text()
    page.get_by_label("Консультування").check()
    shot(page, "social-01-intake")
    page.locator("#register-case").click()
    page.wait_for_url(re.compile(r".*/social/\d+/receipt/$"))
    code = page.locator("#check-code").inner_text()
    number = page.locator("h1").inner_text().split("№ ")[1].split(" ")[0]
    case_url = page.url.replace("receipt/", "")
    assert len(code) == 8
    shot(page, "social-02-receipt")

    # The resident checks the status without logging in.
    context.clear_cookies()
    page.goto(f"{live_server_url}/social/status/?number={number}&code={code}")
    assert "триває оцінювання потреб" in page.locator("#public-status").inner_text()

    login(page, "social_demo")
    assert page.locator("#social-worklist").count() == 1
    page.goto(case_url)
    page.locator("#take-case").click()
    wait_for_htmx(page)
    assert page.locator("#case-status").inner_text() == "Оцінювання потреб"
    page.locator("#score_self_care").select_option("1")
    page.locator("#score_family").select_option("2")
    page.locator("#home_visit_on").fill(page.locator("#completed_on").input_value())
    page.locator("#home_visit_note").fill("Дитина з мамою, потребує консультацій психолога.")
    assert page.locator("#rec-counselling").is_checked()
    page.locator("#conclusion").fill("Потрібне консультування сім’ї.")
    shot(page, "social-03-assessment")
    page.locator("#save-assessment").click()
    wait_for_htmx(page)
    assert page.locator("#case-status").inner_text() == "Оцінено, очікує рішення"
    page.locator("#reason").fill("Потребу підтверджено оцінюванням.")
    page.locator("#save-decision").click()
    wait_for_htmx(page)
    assert "Надати соціальні послуги" in page.locator("#decision-outcome").inner_text()
    assert page.locator("#notice-pdf").is_visible()
    page.locator("#goals").fill("Відновити спроможність сім’ї.")
    page.locator("#frequency_counselling").fill("Щотижня")
    page.locator("#consent").check()
    page.locator("#save-plan").click()
    wait_for_htmx(page)
    assert page.locator("#case-status").inner_text() == "Послуги надаються"
    shot(page, "social-04-in-service")

    context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "provider_demo")
    page.goto(f"{live_server_url}/social/deliveries/")
    client = page.locator("li", has_text="Коваленко Софія")
    assert client.count() == 1
    client.locator("textarea[name=note]").fill("Перша консультація.")
    client.get_by_role("button", name="Зафіксувати візит").click()
    wait_for_htmx(page)
    assert "зафіксовано" in page.locator(".messages").inner_text()
    shot(page, "social-05-delivery-phone")
    # The provider's worker may never read monitoring: 403 (the one outsider rule of accounts/access.py).
    assert page.goto(f"{live_server_url}/monitoring/social/").status == 403


PERSON_SETUP = """
from datetime import date
from hromada.persons.models import Person, Sex, IdDocumentType
from hromada.territory.models import Unit
h = Unit.objects.get(code="UA18080010000090720")
p = Person.objects.create(last_name="Зозуля", first_name="Ярина", patronymic="Богданівна", birth_date=date(1951, 4, 9),
    sex=Sex.FEMALE, rnokpp="1877304561", id_document_type=IdDocumentType.ID_CARD, id_document_number="417730456",
    street="вул. Лісова", house="7", registered_hromada=h, name_key="зозуля ярина богданівна")
print("person", p.pk)
"""


def test_front_office_wizard_with_scans_opens_the_social_case(page, context, hromada_server, live_server_url, login,
                                                              shot, tmp_path):
    """The same front office, the same wizard: applicant, the catalogue's checklist with scans, the services and
    urgency marked, the receipt; the resident checks the status on the one public page; social_demo finds the
    case with the application's scans linked."""
    from hromada.applications.tests.factories import pdf_bytes

    hromada_server.shell(PERSON_SETUP)
    login(page, "front_demo")
    page.goto(f"{live_server_url}/front/new/")
    page.fill("#service-q", "соціальних послуг")
    page.wait_for_timeout(600)  # htmx search debounce
    page.get_by_role("link", name=re.compile("Заява про надання соціальних послуг")).click()
    page.wait_for_load_state()
    page.click("#pick-applicant")
    page.fill("#q", "Зозуля Ярина")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_role("link", name="Обрати").first.click()
    page.wait_for_load_state()
    page.click("#create-draft")
    page.wait_for_url(re.compile(r"/front/\d+/edit/"))
    for i, code in enumerate(("application_form", "identity_document")):
        path = tmp_path / f"{code}.pdf"
        path.write_bytes(pdf_bytes(1, seed=900 + i))
        page.set_input_files(f"#file-{code}", str(path))
        page.locator(f"#item-{code} button[type=submit]").click()
        page.wait_for_selector(f"#item-{code}.is-provided")
    page.locator("#svc-home_care").check()
    page.locator("#urgency-crisis").check()
    shot(page, "social-06-wizard")
    page.click("#to-review")
    page.wait_for_url(re.compile(r"/review/"))
    assert "Центр надання соціальних послуг Баранівської міської ради" in page.locator("#preview-back-office").inner_text()
    assert "Кризова" in page.locator("#social-urgency-chosen").inner_text()
    page.click("#submit-application")
    page.wait_for_url(re.compile(r"/front/\d+/\?submitted=1"))
    number = page.locator("h1").inner_text().split()[-1]
    social_number = page.locator("#social-case").inner_text().split("№ ")[1].split()[0]
    assert page.locator("#print-receipt").is_visible()
    shot(page, "social-07-submitted")
    code = hromada_server.shell(
        f"from hromada.applications.models import Application; print(Application.objects.get(number='{number}').check_code)"
    ).strip().splitlines()[-1]

    context.clear_cookies()
    page.goto(f"{live_server_url}/status/?number={number}&code={code}")
    assert page.locator("#status-error").count() == 0, (number, code, page.locator("#status-error").inner_text())
    assert "триває оцінювання потреб" in page.locator("#status-result").inner_text()

    login(page, "social_demo")
    page.goto(f"{live_server_url}/social/?q={social_number}")
    page.get_by_role("link", name=social_number).click()
    page.wait_for_load_state()
    assert page.locator("#case-status").inner_text() == "Заяву зареєстровано"
    page.locator("#source-application").click()
    page.wait_for_load_state()
    assert number in page.locator("h1").inner_text()
    # The scans, opened from the application (file names as uploaded).
    assert page.get_by_role("link", name="application_form.pdf").count() == 1
    assert page.get_by_role("link", name="identity_document.pdf").count() == 1
