"""Rules kept as data in a versioned JSON file of an app (``social/data/services.json``,
``children/data/rules.json``): read once, and lists of ``{"code", "name_uk", …}`` items turned into
``{code: name}`` labels. The apps' ``rules`` modules give the meaning; this is only the loading."""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from .text import localized


class RulesFile:
    def __init__(self, path: Path):
        self.path = path

    @cached_property
    def data(self) -> dict:
        with self.path.open(encoding="utf-8") as fh:
            return json.load(fh)

    def labels(self, key: str, *, name: str = "name_uk") -> dict[str, str]:
        """``{code: name}`` of the list under ``key``, in the file's order; the names in the interface's language
        (``name_en`` beside ``name_uk`` when the item has one)."""
        en = name[:-3] + "_en" if name.endswith("_uk") else ""
        return {item["code"]: localized(item[name], item.get(en, "")) if en else item[name] for item in self.data[key]}
