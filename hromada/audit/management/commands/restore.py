"""python manage.py restore BACKUP_DIR — replace the database and files; verify against the manifest.

Stop the application (web and workers) first: the restore replaces everything they read and write.
Runs as the schema owner when DATABASE_MIGRATE_URL is set (hromada.audit.roles).
"""
from django.core.management.base import BaseCommand, CommandError

from hromada.audit import roles
from hromada.audit.backup import BackupError, restore_backup
from hromada.audit.services import forget_stored_words


class Command(BaseCommand):
    help = "Відновити базу даних і файли з резервної копії (з перевіркою контрольних сум)."

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--yes", action="store_true", help="не питати підтвердження")

    def handle(self, backup, yes, **options):
        if not yes and options.get("interactive", True):
            answer = input("Поточні дані буде замінено даними з копії. Продовжити? [так/ні] ")
            if answer.strip().lower() not in {"так", "y", "yes"}:
                raise CommandError("Скасовано.")
        role = roles.app_role()
        try:
            # As the schema owner (the tables are dropped and recreated), then the application role's
            # grants again: the dump carries none.
            with roles.as_owner() as connection:
                forget_stored_words()   # the tables are replaced: the audit's words are the backup's
                report = restore_backup(backup)
                if role:
                    roles.grant_app_privileges(connection, role)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Відновлено: {report.tables} таблиць, {report.files} файлів; контрольні суми збігаються."))
