"""Menu items per role. Each app may define ``nav.py`` with ``ITEMS = [NavItem(...)]``; core only collects."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from hromada.accounts.access import may


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
    for config in apps.get_app_configs():
        if not config.name.startswith("hromada."):
            continue
        try:
            module = import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.nav":
                continue
            raise
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
