"""``pack_audit [--before YYYY-MM] [--keep-months 2]``: the audit log's older months packed in blocks
(docs/decisions/0003, ``audit.services.pack_audit``), as the schema's owner (DATABASE_MIGRATE_URL): the month
partitions it empties are dropped, which the application's role may not do. Monthly, after the checkpoint.
"""
from __future__ import annotations

from datetime import UTC, date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hromada.audit import roles, services
from hromada.core.errors import HromadaError


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise CommandError(f"--before: місяць у форматі РРРР-ММ, не «{value}»") from None


def first_month_kept(today: date, keep_months: int) -> date:
    """The first day of the oldest month kept as rows when ``keep_months`` months are kept, the current one among
    them: everything before it is packed (2 on 8 December: 1 November — November and December stay rows)."""
    month = today.year * 12 + today.month - keep_months
    return date(month // 12, month % 12 + 1, 1)


class Command(BaseCommand):
    help = ("Пакує давні записи журналу аудиту в стиснуті блоки (≈50 байт на запис замість ≈300) і видаляє "
            "запаковані щомісячні розділи. Від імені власника схеми.")

    def add_arguments(self, parser):
        parser.add_argument("--before", type=_month, default=None,
                            help="пакувати записи до першого дня цього місяця, РРРР-ММ (типово: найдавніший із місяців, "
                                 "що лишаються рядками)")
        parser.add_argument("--keep-months", type=int, default=2,
                            help="скільки останніх місяців лишити рядками (типово 2, разом із поточним)")

    def handle(self, *args, before, keep_months, **options):
        if keep_months < 1:
            raise CommandError("--keep-months: щонайменше 1 (поточний місяць не пакується)")
        before = before or first_month_kept(timezone.now().astimezone(UTC).date(), keep_months)
        try:
            with roles.as_owner():
                packed = services.pack_audit(before=before)
        except HromadaError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        if packed.entries:
            self.stdout.write(f"Запаковано записів: {packed.entries} у {packed.blocks} блоків; у блоках — усі записи "
                              f"до № {packed.through_id} (записи до {before:%d.%m.%Y}).")
        elif packed.through_id:
            self.stdout.write(f"Нових записів до {before:%d.%m.%Y} для пакування немає; у блоках — усі записи до "
                              f"№ {packed.through_id}.")
        else:
            self.stdout.write(f"Записів до {before:%d.%m.%Y} для пакування немає.")
        if packed.dropped:
            self.stdout.write("Видалено розділи: " + ", ".join(packed.dropped))
        if packed.deleted:
            self.stdout.write(f"Видалено запакованих рядків: {packed.deleted}")
        if packed.kept:
            self.stdout.write("Лишилися розділи з незапакованими записами (будуть видалені наступного разу): "
                              + ", ".join(packed.kept))
