"""The business modules' annotations (#18: mypy checks services, selectors and the access layer) may name types
of the dev-only stub packages (``django_stubs_ext.StrOrPromise``, …) — under ``if TYPE_CHECKING:`` only: the
production image installs requirements.lock, which has none of them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_ONLY = ("django_stubs_ext", "django_stubs", "mypy", "mypy_extensions")

SCRIPT = """
import importlib, pathlib, sys
for name in {dev_only!r}:
    sys.modules[name] = None          # importing it raises ImportError, as in production
import django
django.setup()
for path in sorted(pathlib.Path("hromada").rglob("*.py")):
    if "tests" in path.parts or "migrations" in path.parts:
        continue
    if path.name in ("services.py", "selectors.py", "access.py") or path.parent.name == "services":
        importlib.import_module(".".join(path.with_suffix("").parts).removesuffix(".__init__"))
print("imported")
"""


def test_business_modules_import_without_the_dev_only_packages():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hromada.settings_test"}
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(dev_only=DEV_ONLY)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-3000:]
