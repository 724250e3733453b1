"""front_demo walks the whole intake in Chromium: service → applicant → family → documents → review → submit →
receipt. Screenshots go to var/screenshots/."""
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .factories import pdf_bytes, png_bytes

pytestmark = pytest.mark.browser


def _pick_person(page, query: str, name: str):
    page.fill("#q", query)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("tr", has_text=name).get_by_role("link", name="Обрати").first.click()
    page.wait_for_load_state()


def test_front_office_intake_walkthrough(page, live_server_url, login, shot, tmp_path):
    login(page, "front_demo")
    page.goto(f"{live_server_url}/front/new/")
    page.fill("#service-q", "народж")
    page.wait_for_timeout(600)  # htmx search debounce
    shot(page, "front-01-choose-service")
    page.get_by_role("link", name=re.compile("Допомога при народженні дитини")).click()
    page.wait_for_load_state()
    page.click("#pick-applicant")
    _pick_person(page, "Коваленко Марія", "Марія")
    assert "Коваленко Марія" in page.locator("#applicant-name").inner_text()
    shot(page, "front-02-applicant")
    page.click("#create-draft")
    page.wait_for_url(re.compile(r"/front/\d+/edit/"))
    app_url = page.url.replace("edit/", "")

    # Family member with a role.
    page.click("#pick-member")
    _pick_person(page, "Коваленко Софія", "Софія")
    page.select_option("#role", "family_member")
    page.click("#add-member")
    page.wait_for_load_state()
    assert "Коваленко Софія" in page.locator("#people-h + table").inner_text()

    # Autosave: typed text survives a reload.
    page.fill("#note", "Заявниця прийшла з дитиною; IBAN донесе пізніше.")
    expect(page.locator("#autosave-status")).to_contain_text("збережено")
    page.reload()
    assert "IBAN донесе пізніше" in page.input_value("#note")

    # Documents: a fake PDF (an executable) is refused, real scans are accepted.
    fake = tmp_path / "заява.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 400)
    page.set_input_files("#file-application_form", str(fake))
    page.locator("#item-application_form button[type=submit]").click()
    page.wait_for_selector("#item-application_form .error")
    assert "Непідтримуваний тип файлу" in page.locator("#item-application_form").inner_text()
    shot(page, "front-03-upload-refused")
    files = {"application_form": ("zaiava.pdf", pdf_bytes(2, seed=1)),
             "identity_document": ("pasport.png", png_bytes()),
             "child_birth_certificate": ("svidotstvo.pdf", pdf_bytes(1, seed=2))}
    for code, (name, content) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        page.set_input_files(f"#file-{code}", str(path))
        page.locator(f"#item-{code} button[type=submit]").click()
        page.wait_for_selector(f"#item-{code}.is-provided")
    shot(page, "front-04-checklist")

    page.click("#to-review")
    page.wait_for_url(re.compile(r"/review/"))
    assert "буде донесено до" in page.content()
    shot(page, "front-05-review")
    page.click("#submit-application")
    page.wait_for_url(re.compile(r"/front/\d+/\?submitted=1"))
    number = page.locator("#app-number").inner_text()
    assert "Надіслано до бек-офісу" in page.content()
    shot(page, "front-06-submitted")

    # Print the receipt: a PDF with the number, the documents and what is still missing.
    res = page.request.get(f"{app_url}receipt.pdf")
    assert res.status == 200 and res.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(res.body())).pages).split())
    assert "Повідомлення про прийняття заяви" in text and number in text
    assert "Реквізити рахунку для виплати" in text and "Коваленко Марія" in text

    page.goto(f"{live_server_url}/front/")
    assert number in page.content()
    shot(page, "front-07-list")


def _new_draft(page, live_server_url):
    page.goto(f"{live_server_url}/front/new/")
    page.get_by_role("link", name=re.compile("Допомога при народженні дитини")).click()
    page.click("#pick-applicant")
    _pick_person(page, "Пʼятниця Ганна", "Ганна")
    page.click("#create-draft")
    page.wait_for_url(re.compile(r"/front/\d+/edit/"))


def test_nothing_lost_reload_and_upload_retry(page, context, live_server_url, login, shot, tmp_path):
    login(page, "front_demo")
    _new_draft(page, live_server_url)
    # Typed and reloaded before the autosave fired: the browser's copy is restored and then saved.
    page.fill("#note", "Телефонувати після 14:00")
    page.reload()
    assert page.input_value("#note") == "Телефонувати після 14:00"
    expect(page.locator("#autosave-status")).to_contain_text("збережено")
    page.evaluate("window.localStorage.clear()")
    page.reload()
    assert page.input_value("#note") == "Телефонувати після 14:00"  # now from the server's draft

    # The connection drops during an upload: the file stays chosen and "Повторити" sends it again.
    scan = tmp_path / "zaiava.pdf"
    scan.write_bytes(pdf_bytes(1, seed=5))
    page.set_input_files("#file-application_form", str(scan))
    context.set_offline(True)
    page.locator("#item-application_form button[type=submit]").click()
    retry = page.locator("#item-application_form .upload-retry")
    expect(retry).to_be_visible()
    shot(page, "front-08-upload-retry")
    context.set_offline(False)
    retry.get_by_role("button", name="Повторити").click()
    page.wait_for_selector("#item-application_form.is-provided", timeout=15000)
