"""The one loop that finds an optional module in every Hromada app (``api``, ``urls``, ``nav``, ``demo``,
``dataset``): apps plug in without editing shared files, and a lower floor never names a higher one."""
from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str, *, exclude: tuple[str, ...] = ()) -> list[tuple[AppConfig, ModuleType]]:
    """``(config, module)`` for each installed ``hromada.*`` app that has ``<app>/<name>.py``, in INSTALLED_APPS
    order. Apps whose label is in ``exclude`` are skipped. An import error *inside* such a module is raised."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("hromada.") or config.label in exclude:
            continue
        try:
            module = import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.{name}":
                continue
            raise
        found.append((config, module))
    return found
