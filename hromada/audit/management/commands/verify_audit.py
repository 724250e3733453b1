"""Walk every audit hash chain and compare it with the signed checkpoints stored outside the database;
print the chains' heads; exit 1 and say where when an entry was edited, deleted, inserted, moved or re-hashed."""
from django.core.management.base import BaseCommand, CommandError

from hromada.audit.checkpoints import current_head, current_heads, load_checkpoints
from hromada.audit.services import verify_chain


class Command(BaseCommand):
    help = "Перевірити цілісність журналу аудиту (ланцюжки хешів і підписані контрольні точки)."

    def handle(self, *args, **options):
        checkpoints = load_checkpoints()
        files = sorted({c.name for c in checkpoints})
        checked, problems = verify_chain(checkpoints=checkpoints)
        head = current_head()
        if head:
            self.stdout.write(f"Голова ланцюжка: запис {head[0]}, записів {head[1]}, хеш {head[2]}")
        for chain, last_id, count, last_hash in current_heads():
            self.stdout.write(f"  ланцюжок {chain}: запис {last_id}, записів {count}, хеш {last_hash}")
        if checkpoints:
            latest = [c for c in checkpoints if c.name == files[-1]]
            self.stdout.write(f"Контрольних точок: {len(files)}; остання {files[-1]}: "
                              + "; ".join(f"ланцюжок {c.chain} — запис {c.entry_id}, записів {c.count}, хеш {c.hash}"
                                          for c in latest))
        else:
            self.stderr.write("Увага: контрольних точок немає — перезапис усього ланцюжка не було б видно "
                              "(задача audit_checkpoint, docs/operations.md).")
        if problems:
            for problem in problems:
                self.stderr.write(f"[{problem.kind}] {problem.message}")
            raise CommandError(f"Журнал аудиту пошкоджено: {len(problems)} проблем(и) серед {checked} записів.",
                               returncode=1)
        self.stdout.write(self.style.SUCCESS(
            f"Журнал аудиту цілий: перевірено записів — {checked}, контрольних точок — {len(files)}."))
