"""#24, bytes: persons.PersonAccess holds only persons from elsewhere (applications 0026 removed the others first),
so its flag ``home`` and the partial index of the rows without it go."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('persons', '0012_columns_in_alignment_order'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='personaccess', name='person_access_beyond_home'),
        migrations.RemoveField(model_name='personaccess', name='home'),
    ]
