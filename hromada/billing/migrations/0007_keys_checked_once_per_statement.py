"""A billing run's items and lines: their keys checked once per statement, not once per row at COMMIT.

A month's first run at a million writes 83 thousand items and 15 thousand lines; their database foreign keys queued
one deferred check per row and key (two an item, four a line): 0.7 s at COMMIT, a third of the run beyond its rule.
The keys lose their database constraints (as the items' other keys did in 0004: the run's statements take them from
rows that exist); what the constraints also promised is kept:

- a row's period must exist: the closed-period guard, which reads each statement's new rows against the periods
  anyway (PostgreSQL: once per statement; SQLite: per row, as its guard does), refuses a period that does not;
- an adjustment's original period must exist (items);
- a period cannot be deleted (or renumbered) while items or lines name it — on_delete=PROTECT says so to the ORM,
  a trigger to any other path.
Lines' hromada, service and tariff are summed from the items' own keys by one statement; their deletion stays
protected by on_delete (the ORM), as the items' are since 0004.
"""
from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION billing_refuse_closed() RETURNS trigger AS $$
DECLARE
  missing boolean;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM old_rows r JOIN billing_billingperiod p ON p.id = r.period_id WHERE p.status = 'closed') THEN
      RAISE EXCEPTION 'billing period is closed: its rows are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    -- One pass over the new rows: a period that is closed, or that does not exist (the foreign key it stands for).
    SELECT p.id IS NULL INTO missing FROM new_rows r LEFT JOIN billing_billingperiod p ON p.id = r.period_id
      WHERE p.id IS NULL OR p.status = 'closed' LIMIT 1;
    IF FOUND AND missing THEN
      RAISE EXCEPTION 'billing row names no billing period' USING ERRCODE = 'foreign_key_violation';
    ELSIF FOUND THEN
      RAISE EXCEPTION 'billing period is closed: its rows are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_TABLE_NAME = 'billing_billingitem' THEN
      -- A statement of its own, planned only when reached: a line has no original period.
      IF EXISTS (SELECT 1 FROM new_rows r WHERE r.original_period_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM billing_billingperiod p WHERE p.id = r.original_period_id)) THEN
        RAISE EXCEPTION 'billing item names no original billing period' USING ERRCODE = 'foreign_key_violation';
      END IF;
    END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION billing_refuse_named_period_gone() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM billing_billingitem WHERE period_id = OLD.id)
     OR EXISTS (SELECT 1 FROM billing_billingline WHERE period_id = OLD.id)
     OR EXISTS (SELECT 1 FROM billing_billingitem WHERE original_period_id = OLD.id) THEN
    RAISE EXCEPTION 'billing period is named by its items or lines' USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""
PERIOD_TRIGGER = "billing_billingperiod_named"
NO_PERIOD = "(NOT EXISTS (SELECT 1 FROM billing_billingperiod p WHERE p.id = NEW.period_id))"
NO_ORIGINAL = ("(NEW.original_period_id IS NOT NULL AND "
               "NOT EXISTS (SELECT 1 FROM billing_billingperiod p WHERE p.id = NEW.original_period_id))")
NAMED = ("(EXISTS (SELECT 1 FROM billing_billingitem WHERE period_id = OLD.id) "
         "OR EXISTS (SELECT 1 FROM billing_billingline WHERE period_id = OLD.id) "
         "OR EXISTS (SELECT 1 FROM billing_billingitem WHERE original_period_id = OLD.id))")


def create_sqlite_key_guard(run, table: str) -> None:
    """The period keys' row-level checks of one table on SQLite (a later migration whose table rebuild drops them
    puts them back with this, as with 0002's ``create_sqlite_row_guard``)."""
    missing = NO_PERIOD + (f" OR {NO_ORIGINAL}" if table == "billing_billingitem" else "")
    abort = "BEGIN SELECT RAISE(ABORT, 'billing row names no billing period'); END"
    for operation in ("INSERT", "UPDATE"):
        name = f"{table}_period_{operation[:3].lower()}"
        run(f"DROP TRIGGER IF EXISTS {name}")
        run(f"CREATE TRIGGER {name} BEFORE {operation} ON {table} WHEN {missing} {abort}")


def forwards(apps, schema_editor):
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        run(PG_FUNCTIONS)
        run(f"CREATE TRIGGER {PERIOD_TRIGGER} BEFORE UPDATE OF id OR DELETE ON billing_billingperiod "
            f"FOR EACH ROW EXECUTE FUNCTION billing_refuse_named_period_gone()")
    elif vendor == "sqlite":
        guard = import_module("hromada.billing.migrations.0002_closed_period_guard")
        for table in ("billing_billingitem", "billing_billingline"):
            guard.create_sqlite_row_guard(run, table)   # the table's rebuild above dropped it
            create_sqlite_key_guard(run, table)
        abort = "BEGIN SELECT RAISE(ABORT, 'billing period is named by its items or lines'); END"
        run(f"CREATE TRIGGER {PERIOD_TRIGGER}_del BEFORE DELETE ON billing_billingperiod WHEN {NAMED} {abort}")
        run(f"CREATE TRIGGER {PERIOD_TRIGGER}_upd BEFORE UPDATE OF id ON billing_billingperiod "
            f"WHEN NEW.id <> OLD.id AND {NAMED} {abort}")


def backwards(apps, schema_editor):
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        run(f"DROP TRIGGER IF EXISTS {PERIOD_TRIGGER} ON billing_billingperiod")
        run("DROP FUNCTION IF EXISTS billing_refuse_named_period_gone()")
        run(import_module("hromada.billing.migrations.0006_one_statement_guard_function").PG_FUNCTION)
    elif vendor == "sqlite":
        for name in (f"{PERIOD_TRIGGER}_del", f"{PERIOD_TRIGGER}_upd"):
            run(f"DROP TRIGGER IF EXISTS {name}")
        # The key checks go with the tables' rebuild (the constraints come back); the closed guard is put back
        # after it by the first operation's reverse.


def restore_sqlite_closed_guard(apps, schema_editor):
    """Back from this migration: SQLite's rebuild of the tables (their constraints back) dropped the guard."""
    if schema_editor.connection.vendor == "sqlite":
        guard = import_module("hromada.billing.migrations.0002_closed_period_guard")
        for table in ("billing_billingitem", "billing_billingline"):
            guard.create_sqlite_row_guard(schema_editor.execute, table)

class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0006_one_statement_guard_function'),
        ('catalog', '0009_key_to_integer'),
        ('territory', '0002_key_to_integer'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_closed_guard),
        migrations.AlterField(
            model_name='billingitem',
            name='original_period',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.billingperiod'),
        ),
        migrations.AlterField(
            model_name='billingitem',
            name='period',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='items', to='billing.billingperiod'),
        ),
        migrations.AlterField(
            model_name='billingline',
            name='hromada',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit'),
        ),
        migrations.AlterField(
            model_name='billingline',
            name='period',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='billing.billingperiod'),
        ),
        migrations.AlterField(
            model_name='billingline',
            name='service',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.servicetype'),
        ),
        migrations.AlterField(
            model_name='billingline',
            name='tariff',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.tariff'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
