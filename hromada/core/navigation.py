"""Menu items per role. Each app may define ``nav.py`` with ``ITEMS = [NavItem(...)]``; core only collects."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse

from hromada.core.discovery import app_modules
from hromada.core.registry import may


@dataclass(frozen=True)
class NavItem:
    label: str            # translatable (gettext_lazy)
    url_name: str
    permission: str       # access action that shows the item
    order: int = 100
    description: str = ""


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for _config, module in app_modules("nav"):
        items.extend(getattr(module, "ITEMS", []))
    return tuple(sorted(items, key=lambda i: i.order))


@lru_cache(maxsize=512)
def _url(url_name: str, script_prefix: str) -> str | None:
    """An item's address, reversed once per process (every page shows the menu; the URLconf does not change while
    the process runs, the prefix it is served under is part of the key)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def items_for(user) -> list[dict]:
    result = []
    prefix = get_script_prefix()
    for item in all_items():
        if not may(user, item.permission):
            continue
        url = _url(item.url_name, prefix)
        if url is None:
            continue
        result.append({"label": item.label, "url": url, "description": item.description})
    return result


@lru_cache(maxsize=1)
def home_panels() -> tuple:
    """The home page's panels: each app may define ``home.py`` with ``PANELS = [callable(request) → html or None]``
    (e.g. the day's worklist of a front or back office); core only collects them, in app order."""
    panels: list = []
    for _config, module in app_modules("home"):
        panels.extend(getattr(module, "PANELS", []))
    return tuple(panels)
