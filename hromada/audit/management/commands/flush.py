"""``flush`` that may also empty the append-only audit table (SQLite guard; PostgreSQL flush truncates, as
the schema owner when DATABASE_MIGRATE_URL is set — the application role may not)."""
from django.core.management.commands.flush import Command as FlushCommand

from hromada.audit import guard, roles
from hromada.audit.services import forget_stored_words


class Command(FlushCommand):
    def handle(self, **options):
        try:
            with guard.maintenance(), roles.as_owner(options["database"]):
                return super().handle(**options)
        finally:
            forget_stored_words()   # the audit's words went with the tables
