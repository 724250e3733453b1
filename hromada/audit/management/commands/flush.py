"""``flush`` that may also empty the append-only audit table (SQLite guard; PostgreSQL flush truncates)."""
from django.core.management.commands.flush import Command as FlushCommand

from hromada.audit import guard


class Command(FlushCommand):
    def handle(self, **options):
        with guard.maintenance():
            return super().handle(**options)
