from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "hromada.backoffice"
    label = "backoffice"
    verbose_name = "Бек-офіс"
