"""The closed-period guard on PostgreSQL checks once per statement instead of once per row.

A billing run inserts one item per paid application (hundreds of thousands a month nationally); a row-level
PL/pgSQL trigger with a lookup per row cost seconds. Statement-level AFTER triggers see the affected rows as
transition tables and refuse the whole statement if any of them belongs to a closed period. SQLite keeps its
row-level triggers (it has no statement-level ones, and its WHEN clauses are cheap).
"""
from django.db import migrations

GUARDED = ("billing_billingline", "billing_billingitem")

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION billing_refuse_closed_new() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows r JOIN billing_billingperiod p ON p.id = r.period_id WHERE p.status = 'closed')
  THEN
    RAISE EXCEPTION 'billing period is closed: its rows are immutable' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION billing_refuse_closed_old() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows r JOIN billing_billingperiod p ON p.id = r.period_id WHERE p.status = 'closed')
  THEN
    RAISE EXCEPTION 'billing period is closed: its rows are immutable' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(PG_FUNCTIONS)
    for table in GUARDED:
        run(f"DROP TRIGGER IF EXISTS {table}_closed ON {table}")
        run(f"CREATE TRIGGER {table}_closed_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_closed_new()")
        # An update must neither change a closed period's row nor move a row into a closed period.
        run(f"CREATE TRIGGER {table}_closed_upd_old AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_closed_old()")
        run(f"CREATE TRIGGER {table}_closed_upd_new AFTER UPDATE ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_closed_new()")
        run(f"CREATE TRIGGER {table}_closed_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_closed_old()")
    run("DROP FUNCTION IF EXISTS billing_refuse_closed_rows()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    from importlib import import_module

    previous = import_module("hromada.billing.migrations.0002_closed_period_guard")
    for table in GUARDED:
        for suffix in ("ins", "upd_old", "upd_new", "del"):
            run(f"DROP TRIGGER IF EXISTS {table}_closed_{suffix} ON {table}")
    run("DROP FUNCTION IF EXISTS billing_refuse_closed_new()")
    run("DROP FUNCTION IF EXISTS billing_refuse_closed_old()")
    run(previous.PG_FUNCTION)
    for table in GUARDED:
        run(f"CREATE TRIGGER {table}_closed BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION billing_refuse_closed_rows()")


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_closed_period_guard")]
    operations = [migrations.RunPython(forwards, backwards)]
