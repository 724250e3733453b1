"""Every action the code base writes to the audit log has a Ukrainian name for people (#23 p.4)."""
import re
from pathlib import Path

from hromada.audit.labels import ACTIONS, changes_of, masked_changes

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"action=\"([a-z_]+\.[a-z_.]+)\"")
TRANSITIONS = re.compile(r"Transition\(\"(\w+)\"")


def test_every_recorded_action_has_a_label():
    used = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        used |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    # workflow actions are recorded as application.<action> / childcase.<action>
    for name in TRANSITIONS.findall((ROOT / "applications" / "workflow.py").read_text(encoding="utf-8")):
        used.add(f"application.{name}")
    children = (ROOT / "children" / "services.py").read_text(encoding="utf-8")
    used |= {f"childcase.{name}" for name in re.findall(r"_audit\(actor, \"(\w+)\"", children)}
    social = (ROOT / "social" / "services.py").read_text(encoding="utf-8")
    used |= {f"socialcase.{name}" for name in re.findall(r"_audit\(actor, \"(\w+)\"", social)}
    missing = sorted(a for a in used if a not in ACTIONS and not a.startswith("test."))
    assert missing == []


def test_changes_and_masking():
    assert changes_of({"fields": ["phone"]}) == {"phone": None}
    assert changes_of({"changes": {"role": ["a", "b"]}}) == {"role": ["a", "b"]}
    masked = masked_changes({"rnokpp": ["1", "2"], "role": ["a", "b"], "phone": None}, show_personal=False)
    assert masked == {"rnokpp": ["•••", "•••"], "role": ["a", "b"], "phone": None}
