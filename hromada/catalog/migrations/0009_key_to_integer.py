"""#24, bytes: the servicetype's key and every column that points to it as four-byte integers
(``core.migration_ops.KeyToInteger``; docs/operations.md, section 7). SQLite: the state alone."""
from django.db import migrations, models

from hromada.core.migration_ops import KeyToInteger


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_law_subsistence_minimum_2024")]

    operations = [KeyToInteger(model_name="servicetype", name="id", field=models.AutoField(primary_key=True, serialize=False))]
