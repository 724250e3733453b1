"""Territory and role rules live in the access layer (#18): a selector asks ``accounts.access`` (``visible``,
``get_visible``, ``may``, the ``Scope`` methods, ``served_hromada_ids``, ``own_provider_only``) and never
branches by hand on a scope's level or on the user's role.

The scan reads every ``selectors.py`` (AST) and flags, per function:

* ``<scope>.level`` — a name ending in ``scope``, or ``access.scope_of(...)`` itself;
* a comparison with ``<user>.role`` — ``user``, ``actor`` or ``request.user`` on either side.

What truly has to stay is listed in ALLOWED with the reason.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "hromada"
USERS = {"user", "actor"}

# "app/selectors.py:function" → why it may branch there. Keep it short.
ALLOWED: dict[str, str] = {
    "monitoring/selectors.py:plan_vs_actual": "the plan table's presentation per level: an oblast's plan is not "
                                              "shown against a few hromadas, the national plan only country-wide",
}


def _is_scope(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id.endswith("scope")
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "scope_of")


def _is_user_role(node: ast.expr) -> bool:
    if not (isinstance(node, ast.Attribute) and node.attr == "role"):
        return False
    owner = node.value
    return ((isinstance(owner, ast.Name) and owner.id in USERS)
            or (isinstance(owner, ast.Attribute) and owner.attr == "user"))


def _branches(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            hit = ((isinstance(node, ast.Attribute) and node.attr == "level" and _is_scope(node.value))
                   or (isinstance(node, ast.Compare) and any(_is_user_role(n) for n in [node.left, *node.comparators])))
            if hit:
                found.append(f"{rel}:{func.name} (line {node.lineno})")
    return found


def _key(finding: str) -> str:
    return finding.split(" ")[0]


def test_selectors_do_not_branch_on_scope_level_or_role():
    findings = [f for path in sorted(ROOT.glob("*/selectors.py")) for f in _branches(path)]
    unexpected = [f for f in findings if _key(f) not in ALLOWED]
    assert not unexpected, ("a selector branches on a scope level or a role by hand — ask accounts.access "
                            "(or add a Scope method there):\n" + "\n".join(unexpected))


def test_the_allow_list_is_current():
    still = {_key(f) for path in sorted(ROOT.glob("*/selectors.py")) for f in _branches(path)}
    assert set(ALLOWED) <= still, f"no longer needed, remove from ALLOWED: {sorted(set(ALLOWED) - still)}"


def test_the_scan_sees_a_branch(tmp_path):
    (tmp_path / "x").mkdir()
    sample = tmp_path / "x" / "selectors.py"
    sample.write_text("def f(user, access):\n    scope = access.scope_of(user)\n    if scope.level == 'oblast':\n"
                      "        return 1\n    if user.role == 'front':\n        return 2\n"
                      "    return access.scope_of(user).level\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert [_key(f) for f in _branches(sample)] == ["x/selectors.py:f"] * 3
    finally:
        ROOT = saved
