from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hromada.core.errors import HromadaError
from hromada.territory.models import Category
from hromada.territory.services import import_codifier

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "kodifikator-16-05-2025.csv.gz"


class Command(BaseCommand):
    help = "Імпорт офіційного кодифікатора КАТОТТГ (CSV, ';', можна .gz). Повторний запуск нічого не змінює."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument("--partial", action="store_true",
                            help="файл містить лише частину кодифікатора: не деактивувати відсутні одиниці")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file, partial, no_progress, **options):
        bar = tqdm(desc="КАТОТТГ", unit=" записів", disable=no_progress or options["verbosity"] == 0)
        try:
            result = import_codifier(Path(file), partial=partial, progress=bar.update)
        except HromadaError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        out = self.stdout
        out.write(f"Записів у файлі: {result.total}")
        for cat in Category:
            if result.by_category.get(cat.value):
                out.write(f"  {cat.value} {cat.label}: {result.by_category[cat.value]}")
        out.write(f"Створено: {result.created}, оновлено: {result.updated}, без змін: {result.unchanged}, "
                  f"деактивовано: {result.deactivated}")
        if not result.changed:
            out.write(self.style.SUCCESS("Кодифікатор уже актуальний — змін немає."))
