"""Readable application numbers, unique across the country: ``18-08-001-2026-000123``.

oblast-raion-hromada digits of the hromada's КАТОТТГ code (UA18080010000090720 → 18-08-001), the year,
and a per hromada and year sequence. The counter row is locked (by its UPDATE … RETURNING) for the rest of
the caller's transaction, so concurrent intakes in one hromada queue on it and never get the same
number; on SQLite the IMMEDIATE transaction mode serialises writers the same way. The audit chain head comes
after it, with the transaction's last write (the one lock order of hromada.core.db).
"""
from __future__ import annotations

from django.db import connection, transaction

from hromada.territory.models import Unit

from ..models import NumberSequence


def hromada_prefix(code: str) -> str:
    """'UA18080010000090720' → '18-08-001'."""
    digits = code[2:] if code.upper().startswith("UA") else code
    if len(digits) < 7 or not digits[:7].isdigit():
        raise ValueError(f"not a КАТОТТГ hromada code: {code!r}")
    return f"{digits[0:2]}-{digits[2:4]}-{digits[4:7]}"


def format_number(code: str, year: int, sequence: int) -> str:
    return f"{hromada_prefix(code)}-{year}-{sequence:06d}"


def allocate_number(*, hromada: Unit, year: int) -> str:
    """The next number for ``hromada`` in ``year``; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number must run inside the caller's transaction")
    # One round trip: the increment locks the row and returns the new value (PostgreSQL, SQLite ≥ 3.35).
    with connection.cursor() as cursor:
        cursor.execute('UPDATE applications_numbersequence SET "last" = "last" + 1 '
                       'WHERE hromada_id = %s AND year = %s RETURNING "last"', [hromada.pk, year])
        row = cursor.fetchone()
    if row is None:
        # The year's first number: get_or_create survives the race of two first intakes (unique constraint).
        NumberSequence.objects.get_or_create(hromada=hromada, year=year)
        seq = NumberSequence.objects.select_for_update().get(hromada=hromada, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return format_number(hromada.code, year, seq.last)
    return format_number(hromada.code, year, row[0])
