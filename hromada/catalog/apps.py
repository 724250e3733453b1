from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "hromada.catalog"
    label = "catalog"
    verbose_name = "Каталог послуг"
