"""The auditor's action filter lists the actions the log holds (a skip scan, not SELECT DISTINCT)."""
import pytest

from hromada.audit.models import AuditEntry
from hromada.audit.selectors import known_actions
from hromada.audit.services import record

pytestmark = pytest.mark.django_db


def test_known_actions_are_the_distinct_actions_in_order(front):
    for action in ("zz.test.last", "aa.test.first", "mm.test.middle", "aa.test.first", "mm.test.middle"):
        record(actor=front, action=action)
    expected = sorted(set(AuditEntry.objects.values_list("action", flat=True)))   # in the words' order
    assert known_actions() == expected
    assert {"aa.test.first", "mm.test.middle", "zz.test.last"} <= set(expected)
    assert known_actions(limit=2) == expected[:2]
