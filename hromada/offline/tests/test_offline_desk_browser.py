"""One computer, two specialists (issue 16, finding 6): a case saved by one is never shown to, nor sent by,
the next user; sent cases leave the browser at logout; the unsent ones wait for their author."""
from datetime import date

import pytest

from .test_offline_browser import count_cases, scans

pytestmark = pytest.mark.browser


def fill_case(page, tmp_path, last, rnokpp, doc):
    page.fill("#last_name", last)
    page.fill("#first_name", "Галина")
    page.fill("#birth_date", "1986-04-05")
    page.select_option("#sex", "F")
    page.fill("#rnokpp", rnokpp)
    page.fill("#doc_number", doc)
    page.select_option("#service", "birth_assistance")
    files = scans(tmp_path)
    page.set_input_files("#doc-application_form", files[0])
    page.set_input_files("#doc-identity_document", files[1])
    page.set_input_files("#doc-child_birth_certificate", files[2])
    page.click("#offline-form button[type=submit]")


STORE_KEYS = """name => new Promise(resolve => {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => req.result.createObjectStore("cases", {keyPath: "key"});
  req.onsuccess = () => { const all = req.result.transaction("cases").objectStore("cases").getAll();
    all.onsuccess = () => { resolve(all.result.map(c => c.status + ":" + c.applicant)); req.result.close(); }; };
})"""


def test_next_user_never_sees_nor_sends_the_previous_users_case(page, hromada_server, login, shot, tmp_path,
                                                                unique):
    url = hromada_server.url
    sent_rnokpp, kept_rnokpp = unique.rnokpp(date(1986, 4, 5), "F"), unique.rnokpp(date(1986, 4, 5), "F")
    login(page, "front_demo")
    page.goto(f"{url}/front/offline/")
    page.wait_for_selector("#conn.conn:not(.off)")
    first_db = page.get_attribute("#desk", "data-db")

    fill_case(page, tmp_path, "Сидоренко", sent_rnokpp, unique.id_card_number())
    page.wait_for_selector("#pending tr.case-sent", timeout=30000)
    # The second case cannot reach the server (the connection is gone for the API): it stays unsent.
    page.route("**/api/v1/offline/intake", lambda route: route.abort())
    fill_case(page, tmp_path, "Ярошенко", kept_rnokpp, unique.id_card_number())
    page.locator("#pending tr.case-pending").first.wait_for()
    shot(page, "offline-desk-1-front-before-logout")
    assert page.evaluate("caches.has('hromada-offline-v1')")

    page.click("form.logout button")
    page.wait_for_url("**/accounts/login/**")
    page.unroute("**/api/v1/offline/intake")
    # At logout: the sent case and the cached page with the user's identity are gone; the unsent one is sealed
    # in the first user's own store.
    assert page.evaluate(STORE_KEYS, first_db) == ["pending:Ярошенко Галина"]
    assert not page.evaluate("caches.has('hromada-offline-v1')")

    login(page, "front2_demo")
    page.goto(f"{url}/front/offline/")
    page.wait_for_selector("#conn.conn:not(.off)")
    second_db = page.get_attribute("#desk", "data-db")
    assert second_db != first_db
    # Even a case of the first user planted in this store is neither listed nor sent.
    page.evaluate("""([name, key]) => new Promise(resolve => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore("cases", {keyPath: "key"});
      req.onsuccess = () => { const tx = req.result.transaction("cases", "readwrite");
        tx.objectStore("cases").put({key: key, status: "pending", author: "0", desk: "0", created: Date.now(),
          applicant: "Підкинута", serviceName: "x", files: [], payload: {person: {}}});
        tx.oncomplete = () => { req.result.close(); resolve(); }; };
    })""", [second_db, "planted"])
    page.reload()
    page.wait_for_selector("#conn.conn:not(.off)")
    page.wait_for_timeout(9000)  # two sync rounds
    text = page.locator("#pending").inner_text()
    assert "Ярошенко" not in text and "Підкинута" not in text and "Сидоренко" not in text
    assert "Поки що немає" in text
    shot(page, "offline-desk-2-next-user-sees-nothing")
    assert count_cases(hromada_server, kept_rnokpp) == 0

    # The author signs in again: her case is there and goes out under her name.
    page.click("form.logout button")
    page.wait_for_url("**/accounts/login/**")
    login(page, "front_demo")
    page.goto(f"{url}/front/offline/")
    page.wait_for_selector("#pending tr.case-sent", timeout=30000)
    assert "Ярошенко" in page.locator("#pending").inner_text()
    shot(page, "offline-desk-3-author-again")
    assert count_cases(hromada_server, kept_rnokpp) == 1
    assert count_cases(hromada_server, sent_rnokpp) == 1
