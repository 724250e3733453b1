"""The queue's index gains the id (its tie-breaker), so a page is read in order and stops after 50 rows.

The new index is built before the old one is dropped: the queue is never without one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0004_applicant_person'),
        ('catalog', '0002_load_catalog'),
        ('offices', '0001_initial'),
        ('persons', '0002_personlink'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['back_office', 'status', 'due_date', 'id'], name='applications_queue_idx'),
        ),
        migrations.RemoveIndex(
            model_name='application',
            name='application_back_of_0341f5_idx',
        ),
    ]
