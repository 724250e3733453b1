from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "hromada.demo"
    label = "demo"
    verbose_name = _("Демо-дані")
