"""The back office in a real browser: take a submitted case and return it; take another and grant it with
the calculator. Cases are created in the server's database by the test factory (the intake UI is tested
by the applications app)."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from hromada.browser_testing import wait_for_htmx

pytestmark = pytest.mark.browser

MAKE_CASE = ("from hromada.backoffice.tests.factories import submitted_case; "
             "a = submitted_case('front', service='birth_assistance'); print(a.pk, a.number)")


def _case(server):
    pk, number = server.shell(MAKE_CASE).strip().splitlines()[-1].split()
    return int(pk), number


def test_back_office_takes_returns_and_grants_with_calculator(hromada_server, page, login, shot):
    url = hromada_server.url
    returned_pk, returned_no = _case(hromada_server)
    granted_pk, granted_no = _case(hromada_server)

    login(page, "back_demo")
    page.goto(f"{url}/back/")
    expect(page.locator("h1")).to_have_text("Черга заяв бек-офісу")
    assert page.get_by_role("link", name=returned_no).is_visible()
    shot(page, "back-01-queue")

    # htmx filter: only birth assistance, the table is replaced in place.
    page.select_option("#f-service", "birth_assistance")
    wait_for_htmx(page)
    assert page.get_by_role("link", name=granted_no).is_visible()

    page.get_by_role("link", name=returned_no).click()
    expect(page.locator("h1")).to_contain_text(returned_no)
    page.click("#take-button")
    expect(page.locator(".messages")).to_contain_text("Заяву взято в роботу")
    expect(page.locator("#case-status")).to_have_text("На розгляді")
    shot(page, "back-02-case-taken")

    page.locator("#return-panel summary").click()
    page.fill("#return-reason", "Скан свідоцтва про народження нечіткий")
    page.get_by_label("Свідоцтво про народження дитини").check()
    shot(page, "back-03-return-form")
    page.click("#return-button")
    expect(page.locator(".messages")).to_contain_text("повернуто")
    expect(page.locator("#case-status")).to_have_text("Повернуто на доопрацювання")
    shot(page, "back-04-returned")

    page.goto(f"{url}/back/cases/{granted_pk}/")
    page.click("#take-button")
    page.locator("#grant-panel summary").click()
    page.fill("#calc-birth_date", (date.today() - timedelta(days=30)).isoformat())
    page.click("#calc-button")
    page.wait_for_selector(".calc-lines")
    expect(page.locator("#calc-result")).to_contain_text("50 000,00")
    assert page.input_value("#d-amount") == "50000.00"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.input_value("#d-to"))
    shot(page, "back-05-calculation")
    page.click("#grant-button")
    expect(page.locator(".messages")).to_contain_text("Рішення прийнято")
    expect(page.locator("#case-status")).to_have_text("Результат у фронт-офісі")
    expect(page.locator("#decision")).to_contain_text("50 000,00")
    shot(page, "back-06-granted")

    pdf = page.request.get(f"{url}/api/v1/applications/{granted_pk}/decision.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    status = hromada_server.shell(
        "from hromada.applications.models import Application as A; "
        f"print(A.objects.get(pk={returned_pk}).status, A.objects.get(pk={granted_pk}).status)")
    assert status.strip().splitlines()[-1].split() == ["returned", "result_sent"]


def test_back_after_filtering_shows_the_whole_queue_page(hromada_server, page, login):
    """The filters push their address into the history; going back, htmx asks the server for the earlier address
    again (no history cache: personal data is not kept in the browser's storage) — the whole page must come back,
    not the table alone that answers a filter's own request."""
    url = hromada_server.url
    _case(hromada_server)
    login(page, "back_demo")
    page.goto(f"{url}/back/")
    page.select_option("#f-service", "birth_assistance")
    page.wait_for_url(re.compile(r"service=birth_assistance"))
    wait_for_htmx(page)
    page.check("input[name=overdue]")
    page.wait_for_url(re.compile(r"overdue=1"))
    wait_for_htmx(page)
    # Mark what is on the page now: the restore replaces it (with or without the page around the table).
    page.evaluate("document.querySelector('#queue-table').setAttribute('data-before-back', '1')")
    page.go_back()
    page.wait_for_url(re.compile(r"service=birth_assistance(?!.*overdue)"))
    # htmx restores the address from the server: wait until its answer has been swapped in.
    page.locator("[data-before-back]").wait_for(state="detached")
    wait_for_htmx(page)
    assert page.locator("header.top").count() == 1 and page.locator("h1").inner_text() == "Черга заяв бек-офісу"
    assert page.locator("#f-service").input_value() == "birth_assistance"
    assert not page.locator("input[name=overdue]").is_checked()
    assert page.locator("#queue-table table").count() == 1
