"""#24, bytes: a person's name key is stored one byte a Ukrainian letter (``core.fields.NameKeyField``,
``core.text.pack_name_key``), where UTF-8 spent two. The key is in the person's row and in the five indexes that find
and order residents by name: about 24 B less in each at 25 letters a name. The model reads and writes the key as
before.

The map below is this migration's own (``core.text``'s may gain nothing and change nothing; a test compares them).
On PostgreSQL the column's collation becomes "C", so that lists by name follow the codes byte by byte (the Ukrainian
alphabet) whatever the database's collation. PostgreSQL converts in one UPDATE (escape, then ``translate``); SQLite
and the way back go through Python in batches of ids, in the migration's one transaction. Reversible. Not for a
rolling upgrade: docs/operations.md, section 7.
"""
from django.db import migrations

import hromada.core.fields

LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
CODES = "#$&'()*+,-./0123456789:;<=>?@[]^`"
ESCAPE = "~"
MAP = {"-": "!", "ʼ": '"', **dict(zip(LETTERS, CODES, strict=True))}
ESCAPED = "".join(sorted(({*MAP.values(), ESCAPE}) - MAP.keys()))
BATCH = 10_000


def pack(key: str) -> str:
    return "".join(ESCAPE + c if c in ESCAPED else MAP.get(c, c) for c in key)


def unpack(stored: str) -> str:
    back = {code: letter for letter, code in MAP.items()}
    out, escaped = [], False
    for c in stored:
        if escaped:
            out.append(c)
            escaped = False
        elif c == ESCAPE:
            escaped = True
        else:
            out.append(back.get(c, c))
    return "".join(out)


def _in_batches(schema_editor, convert) -> None:
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute("SELECT id, name_key FROM persons_person WHERE id > %s ORDER BY id LIMIT %s", [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany("UPDATE persons_person SET name_key = %s WHERE id = %s",
                               [(convert(key), pk) for pk, key in rows if convert(key) != key])
            last = rows[-1][0]


def to_packed(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        _in_batches(schema_editor, pack)
        return
    # Every character to escape as \xHH in one bracket (none is special there then), escaped before the letters become
    # codes: translate maps only the hyphen, the apostrophe and the letters, none of which is escaped.
    escaped = "".join(f"\\x{ord(c):02x}" for c in ESCAPED)
    schema_editor.execute(
        "UPDATE persons_person SET name_key = translate(regexp_replace(name_key, %s, %s, 'g'), %s, %s) "
        "WHERE name_key <> ''",
        [f"([{escaped}])", ESCAPE + "\\1", "".join(MAP), "".join(MAP.values())])


def to_text(apps, schema_editor):
    _in_batches(schema_editor, unpack)


class Migration(migrations.Migration):

    dependencies = [("persons", "0010_lean_rnokpp_index")]

    operations = [
        # PostgreSQL: the column's collation becomes "C" (NameKeyField.db_parameters), its indexes rebuilt with it.
        migrations.AlterField(model_name="person", name="name_key",
                              field=hromada.core.fields.NameKeyField(editable=False, max_length=320)),
        migrations.RunPython(to_packed, to_text),
    ]
