"""The PostgreSQL closed-period guard becomes one function and three triggers (0003 had two near-copy functions
and two UPDATE triggers): an UPDATE trigger sees both transition tables, and the function tests each table only
for the operations that have it (a transition table a trigger does not declare cannot even be named)."""
from importlib import import_module

from django.db import migrations

GUARDED = ("billing_billingline", "billing_billingitem")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION billing_refuse_closed() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM old_rows r JOIN billing_billingperiod p ON p.id = r.period_id WHERE p.status = 'closed') THEN
      RAISE EXCEPTION 'billing period is closed: its rows are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM new_rows r JOIN billing_billingperiod p ON p.id = r.period_id WHERE p.status = 'closed') THEN
      RAISE EXCEPTION 'billing period is closed: its rows are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""
TRIGGERS = {  # suffix: (operation, transition tables)
    "ins": ("INSERT", "NEW TABLE AS new_rows"),
    "upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "del": ("DELETE", "OLD TABLE AS old_rows"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(PG_FUNCTION)
    for table in GUARDED:
        for suffix in ("ins", "upd_old", "upd_new", "del"):
            run(f"DROP TRIGGER IF EXISTS {table}_closed_{suffix} ON {table}")
        for suffix, (operation, tables) in TRIGGERS.items():
            run(f"CREATE TRIGGER {table}_closed_{suffix} AFTER {operation} ON {table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_closed()")
    run("DROP FUNCTION IF EXISTS billing_refuse_closed_new()")
    run("DROP FUNCTION IF EXISTS billing_refuse_closed_old()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    for table in GUARDED:
        for suffix in TRIGGERS:
            run(f"DROP TRIGGER IF EXISTS {table}_closed_{suffix} ON {table}")
    run("DROP FUNCTION IF EXISTS billing_refuse_closed()")
    import_module("hromada.billing.migrations.0003_statement_level_guard").forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_item_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
