"""Database guard: a closed billing period and its lines/items can never be changed.

The services already refuse; this trigger makes the rule hold for any code path (admin, shell, raw SQL).
"""
from django.db import migrations

GUARDED = ("billing_billingline", "billing_billingitem")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION billing_refuse_closed_rows() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM billing_billingperiod WHERE id = OLD.period_id AND status = 'closed')
     OR TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM billing_billingperiod WHERE id = NEW.period_id AND status = 'closed')
  THEN
    RAISE EXCEPTION 'billing period is closed: its rows are immutable' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION billing_refuse_reopen() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'closed' THEN
    RAISE EXCEPTION 'billing period is closed: it cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


SQLITE_ABORT = "BEGIN SELECT RAISE(ABORT, 'billing period is closed: its rows are immutable'); END"


def create_sqlite_row_guard(run, table: str) -> None:
    """The row-level guard of one table on SQLite (also put back by later migrations whose table rebuild drops
    it)."""
    closed = "(SELECT status FROM billing_billingperiod WHERE id = {row}.period_id) = 'closed'"
    for suffix in ("ins", "upd", "del"):
        run(f"DROP TRIGGER IF EXISTS {table}_closed_{suffix}")
    run(f"CREATE TRIGGER {table}_closed_ins BEFORE INSERT ON {table} WHEN {closed.format(row='NEW')} {SQLITE_ABORT}")
    run(f"CREATE TRIGGER {table}_closed_upd BEFORE UPDATE ON {table} "
        f"WHEN {closed.format(row='OLD')} OR {closed.format(row='NEW')} {SQLITE_ABORT}")
    run(f"CREATE TRIGGER {table}_closed_del BEFORE DELETE ON {table} WHEN {closed.format(row='OLD')} {SQLITE_ABORT}")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "postgresql":
        run(PG_FUNCTION)
        for table in GUARDED:
            run(f"CREATE TRIGGER {table}_closed BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION billing_refuse_closed_rows()")
        run("CREATE TRIGGER billing_billingperiod_closed BEFORE UPDATE OR DELETE ON billing_billingperiod "
            "FOR EACH ROW EXECUTE FUNCTION billing_refuse_reopen()")
    elif vendor == "sqlite":
        for table in GUARDED:
            create_sqlite_row_guard(run, table)
        run("CREATE TRIGGER billing_billingperiod_closed_upd BEFORE UPDATE ON billing_billingperiod "
            f"WHEN OLD.status = 'closed' {SQLITE_ABORT}")
        run("CREATE TRIGGER billing_billingperiod_closed_del BEFORE DELETE ON billing_billingperiod "
            f"WHEN OLD.status = 'closed' {SQLITE_ABORT}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "postgresql":
        for table in (*GUARDED, "billing_billingperiod"):
            run(f"DROP TRIGGER IF EXISTS {table}_closed ON {table}")
        run("DROP FUNCTION IF EXISTS billing_refuse_closed_rows()")
        run("DROP FUNCTION IF EXISTS billing_refuse_reopen()")
    elif vendor == "sqlite":
        for table in GUARDED:
            for suffix in ("ins", "upd", "del"):
                run(f"DROP TRIGGER IF EXISTS {table}_closed_{suffix}")
        for suffix in ("upd", "del"):
            run(f"DROP TRIGGER IF EXISTS billing_billingperiod_closed_{suffix}")


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
