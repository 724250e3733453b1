"""Writes live in services (#18): no view, API handler, selector, form, template tag or model ``save`` override
of the apps saves, creates, updates or deletes rows itself — it calls a service (``services.py`` or a
``services/`` package), which runs the change in one transaction and writes its audit entry.

The scan reads the source (AST), so it also catches a write hidden in a helper function of a view module.
What counts as a write:

* ``.save(``, ``.delete(``, ``.bulk_create(``, ``.bulk_update(``, ``.get_or_create(``, ``.update_or_create(``
  on anything (decorators such as ``@router.delete`` are routes, not calls, and are skipped);
* ``.create(`` and ``.update(`` on a manager or queryset: a receiver that is an attribute (``Model.objects``,
  ``app.documents``) or a call (``qs.filter(...)``). ``.update(`` on a plain local name is a dict or set.

A model's own ``save`` override may call ``super().save(...)`` — that is the save itself; any other write in it
is flagged. Anything that truly has to stay outside a service is listed in ALLOWED with the reason.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "hromada"
ALWAYS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
ON_MANAGERS = {"create", "update"}

# "app/path.py:function" → why this write may stay where it is. Keep it short.
ALLOWED: dict[str, str] = {}


def _scanned_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).parts
        if "tests" in rel or "migrations" in rel or "management" in rel:
            continue
        if path.name in {"views.py", "api.py", "selectors.py", "forms.py", "models.py"} or "templatetags" in rel:
            files.append(path)
    return files


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in ALWAYS:
        return True
    return func.attr in ON_MANAGERS and isinstance(func.value, ast.Attribute | ast.Call)


def _is_super_save(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "save" and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super")


def _writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    is_models = path.name == "models.py"

    def visit(node, where: str, decorators: set[int]):
        for child in ast.iter_child_nodes(node):
            name = where
            skip = set(decorators)
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{where}.{child.name}" if where else child.name
                skip |= {id(d) for d in getattr(child, "decorator_list", [])}
                for d in getattr(child, "decorator_list", []):
                    skip |= {id(n) for n in ast.walk(d)}
            if isinstance(child, ast.Call) and id(child) not in skip and _is_write(child):
                in_model_save = is_models and name.split(".")[-1] == "save"
                if is_models and not in_model_save:
                    pass  # model methods other than save() are called from services; they are not scanned here
                elif not (in_model_save and _is_super_save(child)):
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{name}:{child.lineno} .{child.func.attr}(")
            visit(child, name, skip)

    visit(tree, "", set())
    return found


def _key(hit: str) -> str:
    path, where, _line = hit.split(":")[:3]
    return f"{path}:{where}"


def test_no_writes_outside_services():
    hits = [hit for path in _scanned_files() for hit in _writes(path)]
    offending = [hit for hit in hits if _key(hit) not in ALLOWED]
    assert not offending, "writes outside services (move them into a service):\n" + "\n".join(offending)


def test_allow_list_has_no_stale_entries():
    hits = {_key(hit) for path in _scanned_files() for hit in _writes(path)}
    assert not set(ALLOWED) - hits, f"allowed but no longer found: {sorted(set(ALLOWED) - hits)}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_scan_sees_a_write(tmp_path):
    """The scanner itself: a queryset update in a view is found, a dict update and a route decorator are not."""
    src = tmp_path / "views.py"
    src.write_text(
        "@router.delete('/x')\n"
        "def view(request):\n"
        "    initial = {}\n"
        "    initial.update(a=1)\n"
        "    Person.objects.filter(pk=1).update(name='x')\n"
        "    form.save()\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        hits = _writes(src)
    finally:
        ROOT = saved
    assert [h.split(":", 1)[1] for h in hits] == ["view:5 .update(", "view:6 .save("]


def _imports_services(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if "services" in module.split(".") or any(a.name == "services" for a in node.names):
                names.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
        elif isinstance(node, ast.Import):
            names += [f"{path.relative_to(ROOT).as_posix()}:{node.lineno}" for a in node.names
                      if "services" in a.name.split(".")]
    return names


def test_reads_do_not_reach_for_services():
    """Reads never write (#18): a selector or template tag does not call a service, so it cannot rebuild,
    record or link anything on the way (the audit of a read is the view's ``audited_read`` call)."""
    reads = [p for p in ROOT.rglob("*.py") if "tests" not in p.parts
             and (p.name == "selectors.py" or "templatetags" in p.parts)]
    assert reads
    found = [hit for path in reads for hit in _imports_services(path)]
    assert not found, "selectors/template tags importing services:\n" + "\n".join(found)
