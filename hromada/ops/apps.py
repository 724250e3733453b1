from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "hromada.ops"
    label = "ops"
    verbose_name = _("Експлуатація")

    def ready(self):
        from . import celery_hooks

        celery_hooks.connect()
