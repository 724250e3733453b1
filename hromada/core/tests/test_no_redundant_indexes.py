"""#24, bytes: no table of ours keeps an index that another index of the same table already is — a plain B-tree
index whose columns (with their operator classes) begin another B-tree index. Every query it could serve, the wider
one serves (a foreign key's own index beside a unique pair that starts with it was the usual case: 23 of them,
dropped by the ``*_prefix_indexes`` migrations). Tables of Django's and the libraries' own are not ours to change."""
import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue of indexes")]

NOT_OURS = ("auth_", "axes_", "django_", "otp_", "accounts_user_groups", "accounts_user_user_permissions")

REDUNDANT = """
SELECT a.indrelid::regclass::text, a.indexrelid::regclass::text, b.indexrelid::regclass::text
FROM pg_index a
JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
JOIN pg_class ia ON ia.oid = a.indexrelid JOIN pg_am ama ON ama.oid = ia.relam
JOIN pg_class ib ON ib.oid = b.indexrelid JOIN pg_am amb ON amb.oid = ib.relam
WHERE ia.relnamespace = 'public'::regnamespace AND ama.amname = 'btree' AND amb.amname = 'btree'
  AND NOT a.indisunique AND a.indpred IS NULL AND b.indpred IS NULL AND a.indexprs IS NULL AND b.indexprs IS NULL
  AND a.indnkeyatts <= b.indnkeyatts
  AND (b.indkey::int2[])[0:a.indnkeyatts - 1] = (a.indkey::int2[])[0:a.indnkeyatts - 1]
  AND (b.indclass::oid[])[0:a.indnkeyatts - 1] = (a.indclass::oid[])[0:a.indnkeyatts - 1]
  AND (a.indnkeyatts < b.indnkeyatts OR a.indexrelid > b.indexrelid)
"""


def test_no_index_of_ours_is_the_beginning_of_another():
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT)
        found = [row for row in cursor.fetchall() if not row[0].startswith(NOT_OURS)]
    assert found == [], "\n".join(f"{table}: {index} is the beginning of {wider}" for table, index, wider in found)


def test_the_check_finds_an_index_that_begins_another():
    """The query is not blind: an index of a unique pair's first column is reported (made and dropped here)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX test_redundant_probe ON persons_personlink (person_id)")
        cursor.execute(REDUNDANT)
        found = [row[1] for row in cursor.fetchall()]
        cursor.execute("DROP INDEX test_redundant_probe")
    assert "test_redundant_probe" in found, found
