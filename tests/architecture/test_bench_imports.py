"""``make bench`` reaches into the product from inside its functions (``from hromada… import …`` where a step needs
it), so a rename in the product fails the bench only at that step, an hour into a national run: every such name is
checked here, against the product as it is."""
from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "bench").glob("*.py"))


def _product_imports() -> list[tuple[str, str, str]]:
    found = []
    for script in SCRIPTS:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hromada"):
                found += [(f"{script.name}:{node.lineno}", node.module or "", alias.name) for alias in node.names]
    return found


def test_the_bench_imports_something_of_the_product():
    assert len(_product_imports()) > 20


@pytest.mark.parametrize(("where", "module", "name"), _product_imports(), ids=lambda v: str(v))
def test_every_name_the_bench_imports_from_the_product_exists(where, module, name):
    imported = importlib.import_module(module)
    assert hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}") is not None, (
        f"bench/{where}: {module} has no {name}")
