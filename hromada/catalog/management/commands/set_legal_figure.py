"""A new legal figure (e.g. the прожитковий мінімум from 1 January) as a data change, audited:

    manage.py set_legal_figure subsistence_minimum.able_bodied 3500 --from 2027-01-01 \\
        --act "Закон України «Про Державний бюджет України на 2027 рік» від … № …" --article "ст. 7" \\
        --act-date 2026-12-01 --confirmed --checked-against "офіційний текст, zakon.rada.gov.ua"

The period in force before is closed the day before; calculations stored with decisions keep their figures.
"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hromada.catalog.services import set_legal_figure
from hromada.core.errors import HromadaError


class Command(BaseCommand):
    help = "Внести новий нормативний показник (з актом, статтею й датою); попередній період закривається."

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument("value", help="значення; порожнє — показник не встановлено")
        parser.add_argument("--from", dest="valid_from", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="valid_to", type=date.fromisoformat)
        parser.add_argument("--act", required=True)
        parser.add_argument("--article", required=True)
        parser.add_argument("--act-date", required=True, type=date.fromisoformat)
        parser.add_argument("--confirmed", action="store_true", help="значення звірено з текстом акта")
        parser.add_argument("--checked-against", default="")
        parser.add_argument("--note", default="")
        parser.add_argument("--label", default="")
        parser.add_argument("--unit", default="")

    def handle(self, *args, **o):
        try:
            row = set_legal_figure(actor=None, key=o["key"], value=o["value"], valid_from=o["valid_from"],
                                   valid_to=o["valid_to"], act=o["act"], article=o["article"], act_date=o["act_date"],
                                   confirmed=o["confirmed"], checked_against=o["checked_against"], note=o["note"],
                                   label_uk=o["label"], unit=o["unit"])
        except HromadaError as exc:
            raise CommandError(str(exc.message)) from exc
        state = "підтверджено" if row.confirmed else "НЕ підтверджено"
        self.stdout.write(f"{row.key} = {row.value} з {row.valid_from:%d.%m.%Y} ({row.source}; {state})")
