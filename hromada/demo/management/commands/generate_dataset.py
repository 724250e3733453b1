from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hromada.core.errors import HromadaError
from hromada.demo.dataset import Options, generate


class Command(BaseCommand):
    help = ("Згенерувати реалістичний національний набір даних на справжньому кодифікаторі "
            "(офіси, ~13,5 тис. працівників, особи з валідними РНОКПП, заяви в усіх станах). Детермінований для --seed.")

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True)
        parser.add_argument("--persons", type=int, default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="дата «сьогодні» набору (YYYY-MM-DD)")
        parser.add_argument("--months", type=int, default=18)
        parser.add_argument("--staff", type=int, default=13500)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, applications, persons, seed, as_of, months, staff, no_progress, **options):
        if applications < 1:
            raise CommandError("--applications має бути додатним числом")
        bars: dict[str, tqdm] = {}

        def progress(what, n):
            if no_progress or options["verbosity"] == 0:
                return
            if what not in bars:
                total = {"applications": applications, "persons": persons or int(applications * 0.8)}.get(what)
                bars[what] = tqdm(total=total, desc=what, unit=" rows")
            bars[what].update(n)

        opts = Options(applications=applications, persons=persons, seed=seed, as_of=as_of or date.today(),
                       months=months, staff=staff, progress=progress)
        try:
            result = generate(opts)
        except HromadaError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Готово за {result.seconds:.1f} с"))
