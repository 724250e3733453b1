"""``python manage.py register_simulator --port 8190``: the register simulator (docs/integrations.md)."""
from django.core.management.base import BaseCommand

from hromada.registers.simulator.server import serve


class Command(BaseCommand):
    help = "Тестовий реєстр: симулятор державних реєстрів (ДРАЦС, ДПС, ПФУ, ВПО, ДМС) за протоколом X-Road 4.0"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8190)
        parser.add_argument("--latency", type=float, default=0.0)
        parser.add_argument("--failure-rate", type=float, default=0.0)
        parser.add_argument("--births-every", type=float, default=0.0)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **opts):
        serve(opts["host"], opts["port"], births_every=opts["births_every"], latency=opts["latency"],
              failure_rate=opts["failure_rate"], seed=opts["seed"])
