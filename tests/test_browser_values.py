"""The guard against browser tests meeting on one value (hromada.test_values and the browser test modules).

Browser tests share the live server's database for a session; twice a run failed because two of them made up the
same application number, РНОКПП, document number or billing month. Values now come from one counter table in
that database; these tests check that source (across handles and processes, on this run's engine and on an
SQLite file like the live server's) and that no browser test module hard-codes a value another one uses.
"""
from __future__ import annotations

import ast
import re
import sqlite3
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from stdnum.ua import rntrc

from hromada.persons.validators import check_rnokpp_matches, clean_id_document, clean_rnokpp
from hromada.test_values import UniqueValues

ROOT = Path(__file__).resolve().parent.parent


def _draw(values: UniqueValues) -> list[str]:
    return ([values.rnokpp(date(1990, 1, 2), "F") for _ in range(5)] + [values.rnokpp(date(1990, 1, 2), "M")]
            + [values.id_card_number(), values.passport_number(), values.birth_certificate_number(),
               values.application_number(), values.billing_month()])


def _check_formats(values: UniqueValues) -> None:
    born = date(1984, 2, 29)
    for sex in ("M", "F"):
        number = values.rnokpp(born, sex)
        assert rntrc.is_valid(number)
        assert clean_rnokpp(number) == number
        check_rnokpp_matches(number, birth_date=born, sex=sex)          # raises on a mismatch
    assert clean_id_document("id_card", values.id_card_number())[0] == "id_card"
    passport = values.passport_number()
    assert clean_id_document("passport", passport) == ("passport", passport)
    certificate = values.birth_certificate_number()
    assert clean_id_document("birth_certificate", certificate) == ("birth_certificate", certificate)
    assert re.fullmatch(r"20(2[0-5])-(0[1-9]|1[0-2])", values.billing_month())


@pytest.mark.django_db
def test_two_handles_on_one_database_never_hand_out_the_same_value():
    """On this run's engine (SQLite or PostgreSQL), as factories in `manage.py shell` use it."""
    first, second = UniqueValues.for_django(), UniqueValues.for_django()   # e.g. two factories' processes
    drawn = _draw(first) + _draw(second) + _draw(first)
    assert len(drawn) == len(set(drawn)), sorted(drawn)
    _check_formats(second)
    block = first.reserve("guard-test", 3)
    assert len(block) == 3 and second.reserve("guard-test", 2, floor=block[-1] + 10) == range(block[-1] + 11,
                                                                                             block[-1] + 13)
    assert first.next("guard-test") == block[-1] + 13


SCHEMA = """
CREATE TABLE persons_person (rnokpp TEXT, id_document_number TEXT);
CREATE TABLE applications_application (number TEXT, submitted_at TEXT);
CREATE TABLE billing_billingperiod (year INTEGER, month INTEGER);
"""


def _shared_file(tmp_path) -> Path:
    """An SQLite file with the tables the look-ups read (the live server's database has them all)."""
    db = tmp_path / "shared.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA)
    conn.close()
    return db


def _next_rnokpp(born: date, sex: str, serial: int = 1) -> str:
    body = f"{(born - date(1899, 12, 31)).days:05d}{serial // 5:03d}{(serial % 5) * 2 + (1 if sex == 'M' else 0)}"
    return body + rntrc.calc_check_digit(body)


def test_values_already_in_the_database_are_skipped(tmp_path):
    db = _shared_file(tmp_path)
    born = date(1979, 4, 11)
    with sqlite3.connect(db) as conn:       # rows an earlier process (the demo, another test) left
        conn.executemany("INSERT INTO persons_person VALUES (?, ?)",
                         [(_next_rnokpp(born, "F", 1), "600000001"), (_next_rnokpp(born, "F", 2), "ТБ000001")])
        conn.execute("INSERT INTO applications_application VALUES ('TB-0000001', '2025-04-03 09:00:00')")
        conn.execute("INSERT INTO billing_billingperiod VALUES (2025, 5)")
    conn.close()
    values = UniqueValues.for_sqlite_file(db)
    assert values.rnokpp(born, "F") == _next_rnokpp(born, "F", 3)
    assert values.id_card_number() == "600000002"          # the counter's 1 is taken
    assert values.passport_number() == "ТБ000002"
    assert values.application_number() == "TB-0000002"
    # 2025-05 is run already, 2025-04 has a case submitted in it: the first free month is 2025-03.
    assert [values.billing_month(), values.billing_month()] == ["2025-03", "2025-02"]
    _check_formats(values)


DRAW = """
import sys
from hromada.test_values import UniqueValues
from datetime import date
values = UniqueValues.for_sqlite_file(sys.argv[1])
for _ in range(20):
    print(values.rnokpp(date(1990, 1, 2), "M"), values.id_card_number(), values.billing_month())
"""


def test_processes_sharing_an_sqlite_file_draw_from_one_source(tmp_path):
    """The live server's case: the pytest process and `manage.py shell`s on one SQLite file, at the same time."""
    db = _shared_file(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", DRAW, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    values = [v for out in outputs for v in out.split()]
    assert len(values) == 3 * 20 * 3 and len(values) == len(set(values))


# The modules' literals -------------------------------------------------------------------------------------------

IDENTIFIER_PATTERNS = {
    "РНОКПП": re.compile(r"[1-9]\d{9}"),
    "ID-картка": re.compile(r"\d{9}"),
    "паспорт": re.compile(r"[А-ЯІЇЄҐ]{2} ?\d{6}"),
    "свідоцтво": re.compile(r"[IVXLC]+-[А-ЯІЇЄҐ]{2} ?\d{6}"),
    "номер заяви": re.compile(r"[A-ZА-Я]{1,3}-\d[\d-]{3,}"),
    "місяць": re.compile(r"20\d\d-(0[1-9]|1[0-2])"),
}


def browser_modules() -> list[Path]:
    paths = [*ROOT.glob("hromada/**/tests/*.py"), *ROOT.glob("tests/**/*.py")]
    return sorted(p for p in paths if "pytest.mark.browser" in p.read_text(encoding="utf-8"))


def identifier_literals(source: str) -> dict[str, str]:
    """String literals of a module that look like identifiers a registration or a billing close keeps unique."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for kind, pattern in IDENTIFIER_PATTERNS.items():
                if pattern.fullmatch(node.value) and (kind != "РНОКПП" or rntrc.is_valid(node.value)):
                    found[node.value] = kind
    return found


def made_up_numbers(source: str) -> list[int]:
    """Lines that make an РНОКПП from a chosen serial instead of asking ``unique``."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "make_rnokpp"]


def test_the_literal_check_sees_what_it_looks_for():
    source = ('A = "551177001"\nB = make_rnokpp(d, "F", 4900)\nC = "2025-05"\nD = "I-ЖТ 112233"\n'
              f'E = "{_next_rnokpp(date(1990, 1, 2), "M")}"\nF = "0671112233"\n')
    assert identifier_literals(source) == {"551177001": "ID-картка", "2025-05": "місяць", "I-ЖТ 112233": "свідоцтво",
                                           _next_rnokpp(date(1990, 1, 2), "M"): "РНОКПП"}
    assert made_up_numbers(source) == [2]


def test_no_two_browser_test_modules_use_the_same_identifier():
    modules = browser_modules()
    assert len(modules) >= 15, modules                        # the discovery itself works
    users: dict[str, set[str]] = defaultdict(set)
    made_up = {}
    for path in modules:
        source = path.read_text(encoding="utf-8")
        for literal, kind in identifier_literals(source).items():
            users[f"{kind} {literal}"].add(str(path.relative_to(ROOT)))
        if lines := made_up_numbers(source):
            made_up[str(path.relative_to(ROOT))] = lines
    shared = {value: sorted(paths) for value, paths in users.items() if len(paths) > 1}
    assert not shared, f"the same value in several browser test modules (take it from `unique`): {shared}"
    assert not made_up, f"РНОКПП made from a chosen serial in browser tests (use unique.rnokpp): {made_up}"
