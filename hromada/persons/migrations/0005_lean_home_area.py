"""#24: the list's total counted from indexes alone.

``PersonAccess.home`` marks the rows of persons registered in the row's hromada (its staff see them through the home
part anyway), filled here for the rows already stored; rows written without it keep False, which is always correct
(see the model). The person's ``registered_hromada`` index becomes ``(registered_hromada, settlement, id)``, which
answers everything the old one did and counts a hromada's residents of a place without reading the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('persons', '0004_lean_person_access'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='personaccess',
            name='home',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunSQL(
            "UPDATE persons_personaccess SET home = TRUE WHERE EXISTS (SELECT 1 FROM persons_person p "
            "WHERE p.id = persons_personaccess.person_id AND p.registered_hromada_id = persons_personaccess.hromada_id)",
            migrations.RunSQL.noop, elidable=True),
        migrations.AlterField(
            model_name='person',
            name='registered_hromada',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit', verbose_name='громада реєстрації'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['registered_hromada', 'settlement', 'id'], name='person_home_area'),
        ),
        migrations.AddIndex(
            model_name='personaccess',
            index=models.Index(condition=models.Q(('home', False)), fields=['hromada', 'person'], name='person_access_beyond_home'),
        ),
    ]
