"""Unique values for tests that share one database: numbers, РНОКПП, document numbers, billing months.

Browser tests run one after another against one live server's database (per xdist worker), and set their data up
from the pytest process, from ``manage.py shell`` subprocesses (factories) and through the server itself. Values
they make up must never meet: a number typed by one test and registered earlier by another turns a registration
into an "exact duplicate", a month closed by one makes another's run fail.

One source per database: the table ``hromada_test_sequence`` (name → last value handed out), created on first use
and advanced by one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement (SQLite ≥ 3.35 and
PostgreSQL), so every process that shares the database — the pytest process through ``for_sqlite_file``, a
``manage.py shell`` through ``for_django`` — draws from the same counters. A drawn value that the database already
holds (the demo's residents, an earlier run's rows) is skipped, so values are new to the database as well.

Part of the composition root (like ``hromada.testing``): no app imports it; tests and their factories do.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from stdnum.ua import rntrc

TABLE = "hromada_test_sequence"   # spelled out in the SQL below
# Billing months are handed out backwards from this one (the first tariff of the demo is of 01.2020). Months from
# 2025-06 on are left to tests that must use the current month (the full story bills today's case).
LAST_TEST_MONTH = (2025, 5)
FIRST_TEST_MONTH = (2020, 1)
_RNOKPP_EPOCH = date(1899, 12, 31)

Run = Callable[[str, Sequence[Any]], list[tuple]]


class UniqueValues:
    """Hands out values no other user of the same database has had from it (see the module's docstring)."""

    def __init__(self, run: Run):
        self._run = run
        self._run("CREATE TABLE IF NOT EXISTS hromada_test_sequence (name VARCHAR(64) PRIMARY KEY, "
                  "value BIGINT NOT NULL)", ())

    @classmethod
    def for_sqlite_file(cls, path: str | Path) -> UniqueValues:
        """For a process outside the server's Django (the pytest process of the browser tests)."""
        def run(sql: str, params: Sequence[Any]) -> list[tuple]:
            # Autocommit, one statement per connection; wait for the server's writes instead of failing on a lock.
            with sqlite3.connect(str(path), timeout=60, isolation_level=None) as conn:
                rows = conn.execute(sql.replace("%s", "?"), tuple(params)).fetchall()
            conn.close()
            return rows
        return cls(run)

    @classmethod
    def for_django(cls, using: str = "default") -> UniqueValues:
        """For code running in Django against the shared database (factories in ``manage.py shell``)."""
        from django.db import connections

        def run(sql: str, params: Sequence[Any]) -> list[tuple]:
            with connections[using].cursor() as cursor:
                cursor.execute(sql, tuple(params))
                return list(cursor.fetchall()) if cursor.description else []
        return cls(run)

    # The source --------------------------------------------------------------------------------------------------

    def reserve(self, name: str, count: int = 1, *, floor: int = 0) -> range:
        """``count`` consecutive values of the counter ``name``, all above ``floor`` and above any value it handed
        out before, to whichever process."""
        if count < 1:
            raise ValueError("count must be positive")
        rows = self._run(
            "INSERT INTO hromada_test_sequence (name, value) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET value = "
            "(CASE WHEN hromada_test_sequence.value > %s THEN hromada_test_sequence.value ELSE %s END) + %s "
            "RETURNING value",
            (name, floor + count, floor, floor, count))
        last = int(rows[0][0])
        return range(last - count + 1, last + 1)

    def next(self, name: str) -> int:
        return self.reserve(name)[0]

    def _fresh(self, name: str, make: Callable[[int], str], taken: Callable[[str], bool]) -> str:
        for _attempt in range(1000):
            value = make(self.next(name))
            if not taken(value):
                return value
        raise RuntimeError(f"no free value for {name!r} after 1000 tries")

    def _exists(self, sql: str, *params: Any) -> bool:
        return bool(self._run(sql + " LIMIT 1", params))

    # Values ------------------------------------------------------------------------------------------------------

    def rnokpp(self, born: date, sex: str) -> str:
        """A valid РНОКПП (python-stdnum's check digit) for ``born`` and ``sex`` ("M"/"F"), held by nobody yet.

        Digits 1–5: days since 31.12.1899; 6–9: a serial from the counter, the 9th odd for men, even for women;
        10th: the control digit — the layout ``persons.validators`` checks.
        """
        days = (born - _RNOKPP_EPOCH).days
        if not 0 < days < 100000:
            raise ValueError("birth date outside the range a РНОКПП can encode")

        def make(n: int) -> str:
            serial = n % 5000
            body = f"{days:05d}{serial // 5:03d}{(serial % 5) * 2 + (1 if sex == 'M' else 0)}"
            return body + rntrc.calc_check_digit(body)
        return self._fresh("rnokpp", make, lambda v: self._exists(
            "SELECT 1 FROM persons_person WHERE rnokpp = %s", v))

    def _document(self, name: str, make: Callable[[int], str]) -> str:
        return self._fresh(name, make, lambda v: self._exists(
            "SELECT 1 FROM persons_person WHERE id_document_number = %s", v))

    def id_card_number(self) -> str:
        """An ID card's number (9 digits) that no person in the database has."""
        return self._document("id_card", lambda n: f"{600000000 + n % 100000000:09d}")

    def passport_number(self) -> str:
        """A passport booklet's number (two Ukrainian capitals and 6 digits), new to the database."""
        return self._document("passport", lambda n: f"ТБ{n % 1000000:06d}")

    def birth_certificate_number(self) -> str:
        """A birth certificate's number (I-ЖТ and 6 digits, as persons.validators normalises it), new to the
        database."""
        return self._document("birth_certificate", lambda n: f"I-ЖТ {n % 1000000:06d}")

    def application_number(self, prefix: str = "TB") -> str:
        """A case number for factory-made applications, unused in the database (real ones are allocated by
        ``applications.services.numbering`` and look otherwise)."""
        return self._fresh(f"application-{prefix}", lambda n: f"{prefix}-{n:07d}", lambda v: self._exists(
            "SELECT 1 FROM applications_application WHERE number = %s", v))

    def billing_month(self) -> str:
        """A month ("YYYY-MM") that no other test has had: not run or closed yet, with no case submitted in it (so
        the month's figures are the test's own). Handed out backwards from 2025-05 to 2020-01."""
        last_index = LAST_TEST_MONTH[0] * 12 + LAST_TEST_MONTH[1] - 1
        first_index = FIRST_TEST_MONTH[0] * 12 + FIRST_TEST_MONTH[1] - 1

        def make(n: int) -> str:
            index = last_index - (n - 1)
            if index < first_index:
                raise RuntimeError("the test months (2020-01…2025-05) are used up on this database")
            return f"{index // 12:04d}-{index % 12 + 1:02d}"

        def taken(month: str) -> bool:
            year, mon = int(month[:4]), int(month[5:])
            # A day's margin each side: instants are stored in UTC, the month is Kyiv's.
            before = (date(year, mon, 1) - timedelta(days=1)).isoformat()
            after = (date(year + mon // 12, mon % 12 + 1, 1) + timedelta(days=1)).isoformat()
            return (self._exists("SELECT 1 FROM billing_billingperiod WHERE year = %s AND month = %s", year, mon)
                    or self._exists("SELECT 1 FROM applications_application WHERE submitted_at > %s AND "
                                    "submitted_at < %s", before, after))
        return self._fresh("billing_month", make, taken)
