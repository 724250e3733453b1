"""Monthly partitions of the partitioned tables kept ahead: ``ensure_partitions [--months-ahead 3]``.

PostgreSQL only (SQLite has no partitions: nothing to do). Runs daily from Celery beat as well.
"""
from django.core.management.base import BaseCommand, CommandError

from hromada.ops import services


class Command(BaseCommand):
    help = "Створює щомісячні розділи (partitions) таблиць подій на найближчі місяці (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=services.PARTITION_MONTHS_AHEAD,
                            help="на скільки місяців наперед (типово 3)")

    def handle(self, *args, months_ahead, **options):
        if months_ahead < 0:
            raise CommandError("--months-ahead не може бути від'ємним")
        result = services.ensure_partitions(months_ahead=months_ahead)
        if not result.tables:
            self.stdout.write("Розділених таблиць немає (не PostgreSQL або не розділено).")
        for table, names in result.created.items():
            self.stdout.write(f"{table}: створено {len(names)}" + (f" ({', '.join(names)})" if names else ""))
        if result.missing:
            # Rows of those months wait in the DEFAULT partition; moving them needs the tables' owner.
            raise CommandError("Не створено (потрібні права власника, DATABASE_MIGRATE_URL): " + ", ".join(
                name for names in result.missing.values() for name in names))
