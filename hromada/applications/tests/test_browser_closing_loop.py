"""Issue #17 in Chromium: front_demo accepts an application with the resident's contacts → back_demo finds it by
surname, sees the contacts, decides → front_demo sees the decision on the worklist and the case, prints the
decision notice (its text checked) and hands it out by post. Screenshots: var/screenshots/loop-*.png (the printed
decision as a PNG too, when pdftoppm is installed)."""
import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from hromada.browser_testing import SCREENSHOTS, sign_out, wait_for_htmx

from .factories import pdf_bytes, png_bytes

pytestmark = pytest.mark.browser


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def _pick_person(page, query: str, name: str):
    page.fill("#q", query)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("tr", has_text=name).get_by_role("link", name="Обрати").first.click()
    page.wait_for_load_state()


def _render_pdf(content: bytes, name: str) -> None:
    """The printed page as the resident gets it: PDF → PNG (pdftoppm, first page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / f"{name}.pdf"
    pdf.write_bytes(content)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(SCREENSHOTS / name)],
                       check=True, timeout=60)


def test_accept_decide_print_and_hand_out(page, live_server_url, login, shot, tmp_path):
    url = live_server_url
    # 1. The front office accepts: the resident's phone, e-mail and the note typed in the wizard.
    login(page, "front_demo")
    page.goto(f"{url}/front/new/")
    page.get_by_role("link", name=re.compile("Допомога при народженні дитини")).click()
    page.click("#pick-applicant")
    _pick_person(page, "Коваленко Марія", "Марія")
    page.click("#create-draft")
    page.wait_for_url(re.compile(r"/front/\d+/edit/"))
    app_url = page.url.replace("edit/", "")
    app_id = int(re.search(r"/front/(\d+)/", page.url).group(1))
    page.fill("#contact_phone", "067 555 12 34")
    page.fill("#contact_email", "maria.kovalenko@example.com")
    page.fill("#note", "Просила повідомити телефоном після 14:00")
    expect(page.locator("#autosave-status")).to_contain_text("збережено")
    files = {"application_form": ("zaiava.pdf", pdf_bytes(1, seed=31)), "identity_document": ("pasport.png", png_bytes()),
             "child_birth_certificate": ("svidotstvo.pdf", pdf_bytes(1, seed=32))}
    for code, (name, content) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        page.set_input_files(f"#file-{code}", str(path))
        page.locator(f"#item-{code} button[type=submit]").click()
        page.wait_for_selector(f"#item-{code}.is-provided")
    page.click("#to-review")
    page.wait_for_url(re.compile(r"/review/"))
    page.click("#submit-application")
    page.wait_for_url(re.compile(r"/front/\d+/\?submitted=1"))
    number = page.locator("#app-number").inner_text()
    summary = page.locator("#app-contacts").inner_text()
    assert "+380675551234" in summary and "maria.kovalenko@example.com" in summary
    assert "після 14:00" in page.locator("#app-note").inner_text()

    # The front office's list finds it by surname, whatever the case and the apostrophe.
    page.goto(f"{url}/front/")
    page.fill("#f-q", "КОВАЛЕНКО")
    page.locator("#f-q").press("Enter")
    expect(page.locator("#list-table")).to_contain_text(number)
    # A search request still under way would bring the front office's session cookie back after the switch.
    wait_for_htmx(page)

    # 2. The back office: its worklist, the queue's search, the contacts on the case, the decision.
    sign_out(page)
    login(page, "back_demo")
    page.goto(f"{url}/")
    expect(page.locator("#worklist")).to_contain_text("Нові, ще не взяті в роботу")
    shot(page, "loop-01-home-back-office")
    page.goto(f"{url}/back/")
    page.fill("#f-q", "коваленко")
    expect(page.locator("#queue-table")).to_contain_text(number)
    page.locator("#queue-table").get_by_role("link", name=number).click()
    page.wait_for_load_state()
    assert "+380675551234" in page.locator("#case-contacts").inner_text()
    assert "після 14:00" in page.locator("#case-note").inner_text()
    page.click("#take-button")
    page.locator("#grant-panel summary").click()
    page.fill("#calc-birth_date", (timezone.localdate() - timedelta(days=12)).isoformat())
    page.click("#calc-button")
    page.wait_for_selector(".calc-lines")
    page.click("#grant-button")
    expect(page.locator("#case-status")).to_have_text("Результат у фронт-офісі")
    wait_for_htmx(page)

    # 3. The front office: the worklist counts the result, the results page shows the outcome.
    sign_out(page)
    login(page, "front_demo")
    page.goto(f"{url}/")
    results_card = page.locator("#worklist a[href='/front/results/']")
    assert int(results_card.locator(".n").inner_text()) >= 1
    shot(page, "loop-02-home-front-office")
    results_card.click()
    page.wait_for_url(re.compile(r"/front/results/"))
    row = page.locator("#results-table tr", has_text=number)
    expect(row).to_contain_text("Призначено")
    expect(row).to_contain_text("50 000,00")
    assert "Результат у фронт-офісі" not in page.locator("#results-table").inner_text()
    shot(page, "loop-03-results")
    row.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(rf"/front/{app_id}/$"))
    expect(page.locator("#decision-outcome")).to_have_text("Призначено")
    decision_text = page.locator("#decision").inner_text().replace("\xa0", " ")
    assert "50 000,00" in decision_text and re.search(r"з \d\d\.\d\d\.\d{4} по \d\d\.\d\d\.\d{4}", decision_text)
    assert "Правова підстава" in decision_text and "Рішення прийняв(ла)" in decision_text
    shot(page, "loop-04-case-decision")

    # 4. Print the decision notice: the back office's document with both signature lines.
    href = page.locator("#print-decision").get_attribute("href")
    res = page.request.get(f"{url}{href}")
    assert res.status == 200 and res.headers["content-type"] == "application/pdf"
    text = _pdf_text(res.body())
    assert "РІШЕННЯ ПРО ПРИЗНАЧЕННЯ ДОПОМОГИ" in text and number in text and "50 000,00" in text
    assert "Коваленко Марія" in text and "Посадова особа" in text and "Рішення отримав(ла)" in text
    _render_pdf(res.body(), "loop-05-decision-printed")

    # 5. Hand it out by post: the case closes and the history says how.
    page.check("#method-post")
    page.click("#issue-result")
    page.wait_for_load_state()
    page.goto(app_url)
    assert "Закрито" in page.locator("body").inner_text()
    expect(page.locator("#issued-info")).to_contain_text("поштою")
    expect(page.locator("#hist-h + table")).to_contain_text("Результат видано заявнику (поштою)")
    assert number not in page.request.get(f"{url}/front/results/").text()
