"""The bench's raw-SQL comparison writes the intake's rows by hand (``bench/run.py: raw_insert_rate``): a column that
changes its type (a word kept as its code, 0021) broke it an hour into a medium run. Run here at a tiny size, on
both engines, against the schema as it is: it writes its rows, and leaves none behind."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from hromada.applications.models import Application, Document
from hromada.persons.models import Person

pytestmark = pytest.mark.django_db(transaction=True)
RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_raw_insert_writes_the_intakes_rows_and_leaves_none(demo):
    before = (Application.objects.count(), Document.objects.count(), Person.objects.count())
    assert _bench().raw_insert_rate(3) > 0
    assert (Application.objects.count(), Document.objects.count(), Person.objects.count()) == before
