"""Rebuild monitoring aggregates: ``refresh_indicators [--period 2026-Q3 | --all]``."""
from django.core.management.base import BaseCommand, CommandError

from hromada.core.errors import HromadaError
from hromada.monitoring import services
from hromada.monitoring.periods import parse_period


class Command(BaseCommand):
    help = "Перераховує агрегати показників моніторингу (типово: поточний і попередній місяць)."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="РРРР-ММ, РРРР-Qn або РРРР")
        parser.add_argument("--all", action="store_true", help="усі місяці від першої надісланої заяви")

    def handle(self, *args, period=None, all=False, **options):
        try:
            months = services.refresh_all() if all else services.refresh_aggregates(
                period=parse_period(period) if period else None)
        except HromadaError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"Оновлено місяців: {len(months)} ({', '.join(f'{m:%Y-%m}' for m in months)})")
