from django.core.management.base import BaseCommand

from hromada.applications.services.sweep import sweep_orphan_files


class Command(BaseCommand):
    help = ("Видалити скани й квитанції, на які не посилається жоден запис і які старші за N годин "
            "(залишки перерваних транзакцій).")

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=float, default=6)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, older_than_hours, dry_run, **options):
        names = sweep_orphan_files(older_than_hours=older_than_hours, dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "знайдено" if dry_run else "видалено"
        self.stdout.write(f"{verb}: {len(names)}")
