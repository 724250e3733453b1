"""``migrate`` as the schema owner (DATABASE_MIGRATE_URL), then the application role's grants re-applied.

Without DATABASE_MIGRATE_URL (SQLite, the embedded demo, tests) it is Django's migrate unchanged.
"""
from django.core.management.commands.migrate import Command as MigrateCommand

from hromada.audit import roles


class Command(MigrateCommand):
    def handle(self, *args, **options):
        alias = options["database"]
        role = roles.app_role(alias)
        with roles.as_owner(alias) as connection:
            result = super().handle(*args, **options)
            if role:
                roles.grant_app_privileges(connection, role)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Права ролі застосунку {role} оновлено (журнал аудиту: лише додавання).")
        return result
