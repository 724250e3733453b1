"""python manage.py run_billing_period 2026-03 --user ministry_login [--close]: compute (and close) a month."""
from django.core.management.base import BaseCommand, CommandError

from hromada.accounts.models import User
from hromada.billing import services
from hromada.core.errors import HromadaError


class Command(BaseCommand):
    help = "Розрахувати (і за потреби закрити) розрахунковий період оплати громадам від імені користувача міністерства."

    def add_arguments(self, parser):
        parser.add_argument("period", help="РРРР-ММ")
        parser.add_argument("--user", required=True, help="логін користувача з роллю «Міністерство»")
        parser.add_argument("--close", action="store_true", help="закрити період після успішного розрахунку")

    def handle(self, *args, period, user, close, **options):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"Користувача {user} не знайдено.")
        try:
            run = services.run_billing_period(actor=actor, period=period)
            if run.status != "done":
                raise CommandError(f"Розрахунок не вдався: {run.error} ({run.error_code})")
            self.stdout.write(f"{period}: заяв {run.events}, виключено {run.excluded}, коригувань {run.adjustments}")
            if close:
                services.close_billing_period(actor=actor, period=period)
                self.stdout.write(f"{period}: закрито")
        except HromadaError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc
