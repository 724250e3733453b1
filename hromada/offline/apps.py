from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "hromada.offline"
    label = "offline"
    verbose_name = "Прийом без зв’язку"
