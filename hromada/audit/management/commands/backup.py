"""python manage.py backup OUTPUT_DIR [--json] — database + files + manifest with checksums, encrypted
with HROMADA_BACKUP_KEY; ``--generate-key`` prints a new key."""
from django.core.management.base import BaseCommand, CommandError

from hromada.audit import encryption
from hromada.audit.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Створити зашифровану резервну копію бази даних і файлів (з маніфестом контрольних сум)."

    def add_arguments(self, parser):
        parser.add_argument("output_dir", nargs="?")
        parser.add_argument("--json", action="store_true", help="також Django-рівневий дамп db.json (перенесення "
                                                                 "між SQLite і PostgreSQL)")
        parser.add_argument("--generate-key", action="store_true",
                            help="лише надрукувати новий ключ для HROMADA_BACKUP_KEY")

    def handle(self, output_dir, json, generate_key, **options):
        if generate_key:
            self.stdout.write(encryption.generate_key())
            return
        if not output_dir:
            raise CommandError("Вкажіть каталог для резервної копії.")
        try:
            path = create_backup(output_dir, json_dump=json)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
