"""A children's-rights request walked in Chromium: front_demo accepts it (the keyboard focus stays on each upload
control), the review says it goes to the children's service, child_demo finds it in her queue and sees the scan
fitted to the viewer without a CSP error; the Pension Fund and social-protection desks never see it."""
import re

import pytest

from .factories import pdf_bytes, png_bytes

pytestmark = pytest.mark.browser


def _desk(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="uk-UA")
    ctx.set_default_timeout(15000)
    return ctx, ctx.new_page()


def test_child_rights_request_reaches_the_childrens_service(page, browser, live_server_url, login, shot, tmp_path):
    login(page, "front_demo")
    page.goto(f"{live_server_url}/front/new/")
    page.fill("#service-q", "прав дит")
    page.wait_for_timeout(600)  # htmx search debounce
    page.get_by_role("link", name=re.compile("Звернення з питань захисту прав дитини")).click()
    page.wait_for_load_state()
    page.click("#pick-applicant")
    page.fill("#q", "Коваленко Марія")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("tr", has_text="Марія").get_by_role("link", name="Обрати").first.click()
    page.wait_for_load_state()
    page.click("#create-draft")
    page.wait_for_url(re.compile(r"/front/\d+/edit/"))

    scans = {"application_form": ("zvernennia.pdf", pdf_bytes(1, seed=7)),
             "identity_document": ("pasport.png", png_bytes(size=(1800, 2600), color=(230, 230, 210)))}
    for code, (name, content) in scans.items():
        path = tmp_path / name
        path.write_bytes(content)
        page.set_input_files(f"#file-{code}", str(path))
        page.locator(f"#item-{code} button[type=submit]").focus()
        page.keyboard.press("Enter")                     # a keyboard user sends the file …
        page.wait_for_selector(f"#item-{code}.is-provided")
        page.wait_for_timeout(200)
        # … and stays on this item's upload control, not thrown back to the top of the page.
        assert page.evaluate("document.activeElement && document.activeElement.id") == f"file-{code}"
    shot(page, "routing-01-child-rights-documents")

    page.click("#to-review")
    page.wait_for_url(re.compile(r"/review/"))
    assert "Служба у справах дітей Баранівської міської ради" in page.content()
    shot(page, "routing-02-child-rights-review")
    page.click("#submit-application")
    page.wait_for_url(re.compile(r"/front/\d+/\?submitted=1"))
    number = page.locator("#app-number").inner_text()

    ctx, child = _desk(browser)
    csp_errors = []
    child.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    login(child, "child_demo")
    child.goto(f"{live_server_url}/back/")
    child.get_by_role("link", name=number).click()
    child.wait_for_load_state()
    assert number in child.locator("h1").inner_text()
    child.get_by_role("link", name=re.compile("Паспорт громадянина України або ID-картка заявника")).click()
    frame = child.frame_locator("iframe[name=doc-view]")
    scan = frame.locator("img.scan")
    scan.wait_for()
    child.wait_for_timeout(500)
    box = scan.bounding_box()
    pane = child.locator("iframe[name=doc-view]").bounding_box()
    # The 1800×2600 scan is fitted into the pane, whole.
    assert box["height"] <= pane["height"] + 1 and box["width"] <= pane["width"] + 1
    assert box["height"] >= pane["height"] - 10 or box["width"] >= pane["width"] - 10
    assert csp_errors == []
    shot(child, "routing-03-children-service-case", full_page=False)
    ctx.close()

    for desk in ("back_demo", "uszn_demo"):        # the Pension Fund centre and the raion's social protection
        ctx, other = _desk(browser)
        login(other, desk)
        other.goto(f"{live_server_url}/back/")
        assert number not in other.content(), desk
        ctx.close()
