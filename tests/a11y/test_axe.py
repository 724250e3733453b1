"""axe-core (WCAG 2 A/AA) on the main pages of every role at 1366×768; no horizontal scrollbar.

Pages are discovered by following each role's navigation (so a new section is covered automatically) plus the
deep pages a list only links to (a case, a period, a hromada…), whose ids come from the live server's database.
A violation of impact "serious" or "critical" fails the test with the rule, the element and the page.
"""
from __future__ import annotations

import pytest

from .conftest import ROLE_USERS, axe_violations, first_link, horizontal_overflow, same_origin_links, settle

pytestmark = pytest.mark.browser


def deep_pages(username: str, ids: dict) -> list[str]:
    """Pages reached from lists or by id, per demo user (nav pages are added by discovery)."""
    pages: list[str] = []
    if username == "front_demo":
        pages += ["/persons/new/", "/front/new/"]
        if ids.get("service"):
            pages.append(f"/front/new/{ids['service']}/")
        if ids.get("draft"):
            pages += [f"/front/{ids['draft']}/edit/", f"/front/{ids['draft']}/review/"]
        if ids.get("sent"):
            pages.append(f"/front/{ids['sent']}/")
        if ids.get("applicant"):
            pages.append(f"/persons/{ids['applicant']}/")
    elif username == "ministry_demo":
        if ids.get("period"):
            pages.append(f"/billing/{ids['period']}/")
        pages += [f"/monitoring/hromada/{ids['hromada']}/", f"/monitoring/onboarding/{ids['hromada']}/",
                  f"/monitoring/workplaces/{ids['hromada']}/"]
    elif username == "child_demo":
        pages.append("/children/new/")
        if ids.get("child_case"):
            pages.append(f"/children/{ids['child_case']}/")
    return pages


# Deep pages found on a list page: (list path, link pattern).
LINKED_PAGES = {
    "back_demo": [("/back/", r"/back/cases/\d+/")],
    "ministry_demo": [("/billing/", r"/billing/\d{4}-\d{2}/")],
    "child_demo": [("/children/", r"/children/\d+/")],
    "social_demo": [("/social/", r"/social/\d+/")],
}


def check_page(page, base: str, path: str, problems: list[str]) -> None:
    response = page.goto(base + path)
    settle(page)
    if response is None or response.status != 200:
        problems.append(f"{path}: HTTP {response and response.status}")
        return
    for v in axe_violations(page):
        problems.append(f"{path}: [{v['impact']}] {v['rule']} — {v['help']} — {v['target']}\n      {v['summary']}")
    overflow = horizontal_overflow(page)
    if overflow:
        problems.append(f"{path}: horizontal scrollbar at 1366 px (document {overflow} px wider)")


def test_login_page(page, live_server_url):
    problems: list[str] = []
    check_page(page, live_server_url, "/accounts/login/", problems)
    assert not problems, "accessibility problems:\n  " + "\n  ".join(problems)


# Paths already checked by an earlier role: the same template is not analysed twice (keeps the run short);
# every role's home page is checked, as its cards differ.
CHECKED: set[str] = set()


@pytest.mark.parametrize("username", ROLE_USERS)
def test_role_pages(username, page, sign_in, live_server_url, deep_ids):
    base = live_server_url
    sign_in(page, username)
    problems: list[str] = []
    visited: list[str] = []

    def visit(path: str) -> None:
        if path in visited or (path != "/" and path in CHECKED):
            return
        visited.append(path)
        CHECKED.add(path)
        check_page(page, base, path, problems)

    visit("/")
    nav = same_origin_links(page, base)
    assert nav, f"{username}: no sections in the navigation"
    for path in nav:
        visit(path)
    for list_path, pattern in LINKED_PAGES.get(username, []):
        page.goto(base + list_path)
        link = first_link(page, pattern)
        if link:
            visit(link)
    for path in deep_pages(username, deep_ids):
        visit(path)
    assert not problems, f"{username}: accessibility problems on {len(visited)} pages:\n  " + "\n  ".join(problems)
