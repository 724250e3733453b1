import hromada.applications.checkcode
from django.db import migrations, models


def give_each_case_its_own_code(apps, schema_editor):
    # AddField evaluates a callable default once for all existing rows: every case gets its own random code.
    Application = apps.get_model("applications", "Application")
    for pk in Application.objects.values_list("pk", flat=True).iterator():
        Application.objects.filter(pk=pk).update(check_code=hromada.applications.checkcode.new_check_code())


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0006_frontloop_contacts_issue'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='check_code',
            field=models.CharField(default=hromada.applications.checkcode.new_check_code, editable=False, max_length=16, verbose_name='код перевірки'),
        ),
        migrations.AddField(
            model_name='application',
            name='status_checks',
            field=models.PositiveIntegerField(default=0, verbose_name='перевірок статусу'),
        ),
        migrations.RunPython(give_each_case_its_own_code, migrations.RunPython.noop),
    ]
