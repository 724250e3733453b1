"""python manage.py backup OUTPUT_DIR [--json] — database + files + manifest with checksums."""
from django.core.management.base import BaseCommand, CommandError

from hromada.audit.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Створити резервну копію бази даних і файлів (з маніфестом контрольних сум)."

    def add_arguments(self, parser):
        parser.add_argument("output_dir")
        parser.add_argument("--json", action="store_true", help="також Django-рівневий дамп db.json (перенесення "
                                                                 "між SQLite і PostgreSQL)")

    def handle(self, output_dir, json, **options):
        try:
            path = create_backup(output_dir, json_dump=json)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
