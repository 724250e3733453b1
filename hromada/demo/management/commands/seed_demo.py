from django.core.management.base import BaseCommand, CommandError

from hromada.core.errors import HromadaError
from hromada.demo.services import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Створити демо-дані (Житомирська обл., Баранівська й Тетерівська громади) та демо-облікові записи."

    def handle(self, *args, **options):
        try:
            accounts = seed_demo()
        except HromadaError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Демо-дані готові. Облікові записи (пароль для всіх: %s):" % DEMO_PASSWORD))
        width = max(len(a.username) for a in accounts)
        for a in accounts:
            self.stdout.write(f"  {a.username.ljust(width)}  {a.role_label} — {a.where}")
