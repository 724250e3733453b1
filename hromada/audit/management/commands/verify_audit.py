"""Walk the audit hash chain; exit 1 and say where when an entry was edited, deleted or inserted."""
from django.core.management.base import BaseCommand, CommandError

from hromada.audit.services import verify_chain


class Command(BaseCommand):
    help = "Перевірити цілісність журналу аудиту (ланцюжок хешів)."

    def handle(self, *args, **options):
        checked, problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(f"[{problem.kind}] {problem.message}")
            raise CommandError(f"Журнал аудиту пошкоджено: {len(problems)} проблем(и) серед {checked} записів.",
                               returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Журнал аудиту цілий: перевірено {checked} записів."))
