"""#24, bytes: a person's and a person's access's columns in alignment order
(``core.migration_ops.ColumnsInAlignmentOrder``; about 10 B an application on the 20 thousand application database),
after their keys of places and users became four bytes (and the index of a person's hromada and name says the
four-byte integer's operator class, which PostgreSQL gave it then). PostgreSQL writes the table again under an exclusive lock,
with its keys, indexes, statistics and the foreign keys that point to it made again under their names: not for a
rolling upgrade (docs/operations.md, section 7). SQLite: nothing to do; backwards nothing is done."""
from django.db import migrations, models

from hromada.core.migration_ops import ColumnsInAlignmentOrder


class Migration(migrations.Migration):
    dependencies = [("persons", "0011_packed_name_key"), ("accounts", "0006_key_to_integer"),
                    ("territory", "0002_key_to_integer")]

    operations = [
        # The hromada's key is an integer now (``territory/0002``), and PostgreSQL rebuilt this index with its
        # operator class, the default one: the model's state says so (the database has nothing to do).
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveIndex(model_name="person", name="person_home_name"),
            migrations.AddIndex(model_name="person", index=models.Index(
                fields=["registered_hromada", "name_key"], name="person_home_name",
                opclasses=["int4_ops", "varchar_pattern_ops"])),
        ]),
        ColumnsInAlignmentOrder("person"),
        ColumnsInAlignmentOrder("personaccess"),
    ]
