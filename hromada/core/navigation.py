"""Menu items per role. Each app may define ``nav.py`` with ``ITEMS = [NavItem(...)]``; core only collects."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, reverse

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


def items_for(user) -> list[dict]:
    result = []
    for item in all_items():
        if not may(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
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
