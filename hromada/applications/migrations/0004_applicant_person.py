"""The applicant person copied onto the application (billing's duplicate check, the back-office queue).

Backfilled from the participants before the index is built (faster on a large table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0003_receipt_content_key'),
        ('catalog', '0002_load_catalog'),
        ('offices', '0001_initial'),
        ('persons', '0002_personlink'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='applicant_person',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='persons.person', verbose_name='заявник'),
        ),
        migrations.RunSQL(
            "UPDATE applications_application SET applicant_person_id = (SELECT p.person_id FROM applications_participant p"
            " WHERE p.application_id = applications_application.id AND p.role = 'applicant')",
            reverse_sql=migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['applicant_person', 'service', 'hromada', 'first_submitted_at'], name='applications_claim_idx'),
        ),
    ]
