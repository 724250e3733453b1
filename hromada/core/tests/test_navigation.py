"""The menu: items by role, their addresses reversed once per process and per the prefix the site is served under."""
from django.urls import get_script_prefix, reverse, set_script_prefix

from hromada.core.navigation import items_for


def test_items_follow_the_role_and_the_script_prefix(back, front):
    back_urls = [item["url"] for item in items_for(back)]
    front_urls = [item["url"] for item in items_for(front)]
    assert reverse("back:queue") in back_urls and reverse("back:queue") not in front_urls
    before = get_script_prefix()
    try:
        set_script_prefix("/hromada/")       # served under a sub-path (SCRIPT_NAME)
        prefixed = [item["url"] for item in items_for(back)]
    finally:
        set_script_prefix(before)
    assert prefixed == ["/hromada" + url for url in back_urls]
    assert [item["url"] for item in items_for(back)] == back_urls
