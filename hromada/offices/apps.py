from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "hromada.offices"
    label = "offices"
    verbose_name = "Офіси"
