"""#24, bytes: the unit's key and every column that points to it as four-byte integers
(``core.migration_ops.KeyToInteger``; docs/operations.md, section 7). SQLite: the state alone.

After ``persons/0011``: ``persons/0007`` made an index of a person's hromada with the eight-byte integer's operator
class, which an integer column refuses; the alteration rebuilds it with the four-byte one (``persons/0012`` says so
in the model's state). A new database goes the same way as an old one."""
from django.db import migrations, models

from hromada.core.migration_ops import KeyToInteger


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial"), ("persons", "0011_packed_name_key")]

    operations = [KeyToInteger(model_name="unit", name="id", field=models.AutoField(primary_key=True, serialize=False))]
