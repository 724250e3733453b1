from django.core.management.base import BaseCommand

from hromada.catalog.services import sync_catalog


class Command(BaseCommand):
    help = "Оновити каталог послуг і календар свят із файлів hromada/catalog/data/."

    def handle(self, *args, **options):
        counts = sync_catalog()
        self.stdout.write(f"Послуг: {counts['services']}, документів: {counts['documents']}, свят: {counts['holidays']}")
