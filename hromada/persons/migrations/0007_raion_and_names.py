"""#24: the settlement's raion kept on the person, and a hromada's residents by name from indexes of their own.

* ``Person.raion`` (her settlement's): a district's list reads its first page from ``(raion, name_key)`` and its
  total from ``(registered_hromada, raion, …)``. With the raion only on the settlement the planner could not tell
  that a hromada's residents live in its raion, and walked every person of the country in name order.
* ``(registered_hromada, name_key pattern ops)``: the desk's name search (``LIKE 'ab%'``) within the hromada,
  instead of the country-wide pattern index (181 thousand names begin with «Ше» at 5 M; 689 in the busiest
  hromada). The plain name index stays, under a name of its own.
* Dependency statistics on ``(registered_hromada, raion)`` (PostgreSQL): taken as independent, the planner expected
  a few hundred of a hromada's 15 thousand residents in its own raion.

Written for a live database (docs/operations.md, section 7): the column is added empty and filled in short batches,
each its own transaction; every index is built and dropped concurrently; then one pass catches up the persons the
older code wrote meanwhile. Nothing holds a lock on the persons for long (at 4 M persons on the bench machine the
whole migration took minutes, with lists and searches answering). Not atomic, it is recorded only when finished:
run again after an interruption, each step finds its own work done and carries on (``hromada.core.migration_ops``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

from hromada.core.migration_ops import (AddFieldIfMissing, AddIndexConcurrently, DropFieldIndexesConcurrently,
                                        RemoveIndexConcurrently)

BATCH = 20_000
STATISTICS = "person_home_raion_stats"


def fill_raions(apps, schema_editor):
    """Every person with an address takes her settlement's raion, a range of ids at a time (each UPDATE commits by
    itself: the migration is not atomic)."""
    person = apps.get_model("persons", "Person")
    unit = apps.get_model("territory", "Unit")
    last = person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    raion_of_settlement = Subquery(unit.objects.filter(pk=OuterRef("settlement_id")).values("raion_id")[:1])
    for start in range(0, last, BATCH):
        person.objects.filter(pk__gt=start, pk__lte=start + BATCH, settlement__isnull=False).update(
            raion=raion_of_settlement)


def catch_up(apps, schema_editor):
    """Persons the running (older) code wrote while the batches and the indexes were under way have no raion or an
    old one: one pass over the rest of the table (the nightly ``persons.follow_settlement_raions`` task takes the
    ones written until every host runs the new code)."""
    person = apps.get_model("persons", "Person")
    unit = apps.get_model("territory", "Unit")
    stale = (person.objects.filter(settlement__isnull=False).exclude(raion_id=F("settlement__raion_id"))
             .exclude(raion__isnull=True, settlement__raion__isnull=True))
    stale.order_by().update(raion=Subquery(unit.objects.filter(pk=OuterRef("settlement_id")).values("raion_id")[:1]))


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies) "
                              "ON registered_hromada_id, raion_id FROM persons_person")
        schema_editor.execute("ANALYZE persons_person")   # now, not at autovacuum's next turn


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0006_lean_place_name'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddFieldIfMissing(
            model_name='person',
            name='raion',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit'),
        ),
        migrations.RunPython(fill_raions, migrations.RunPython.noop, elidable=True),
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(fields=['raion', 'name_key'], name='person_raion_name'),
        ),
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(fields=['registered_hromada', 'raion', 'settlement', 'id'], name='person_home_raion'),
        ),
        RemoveIndexConcurrently(
            model_name='person',
            name='person_home_area',
        ),
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(fields=['registered_hromada', 'name_key'], name='person_home_name', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(fields=['name_key'], name='person_name'),
        ),
        DropFieldIndexesConcurrently(
            model_name='person',
            name='name_key',
            field=models.CharField(editable=False, max_length=320),
        ),
        migrations.RunPython(catch_up, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
