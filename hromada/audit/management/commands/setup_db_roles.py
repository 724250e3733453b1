"""python manage.py setup_db_roles [--create] [--check] — the application role that may only append to the
audit log (PostgreSQL; hromada.audit.roles). Connects as the owner (DATABASE_MIGRATE_URL)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hromada.audit import roles


class Command(BaseCommand):
    help = ("Налаштувати роль бази даних застосунку (DATABASE_URL): лише додавання до журналу аудиту; "
            "підключення власника — DATABASE_MIGRATE_URL.")

    def add_arguments(self, parser):
        parser.add_argument("--create", action="store_true",
                            help="створити роль застосунку з паролем із DATABASE_URL, якщо її немає (потрібне "
                                 "право CREATEROLE у власника)")
        parser.add_argument("--check", action="store_true", help="лише перевірити права, нічого не змінюючи")

    def handle(self, *args, create: bool, check: bool, **options):
        role = roles.app_role()
        if role is None:
            raise CommandError("Розділення ролей потребує PostgreSQL і DATABASE_MIGRATE_URL (власник схеми) "
                               "поряд із DATABASE_URL (роль застосунку).")
        with roles.as_owner() as connection:
            owner = connection.settings_dict["USER"]
            if owner == role:
                raise CommandError("DATABASE_URL і DATABASE_MIGRATE_URL мають бути різними ролями.")
            if not check:
                if create and roles.create_app_role(connection, role, settings.DATABASES["default"].get("PASSWORD")):
                    self.stdout.write(f"Створено роль {role}.")
                roles.grant_app_privileges(connection, role)
            report = roles.check_app_role(connection, role)
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"Роль {role} може змінювати журнал аудиту: {len(report.problems)} проблем(и).")
        self.stdout.write(self.style.SUCCESS(
            f"Роль {role}: не власник, журнал аудиту — лише SELECT та INSERT; схемою володіє {owner}."))
