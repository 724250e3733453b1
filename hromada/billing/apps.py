from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "hromada.billing"
    label = "billing"
    verbose_name = _("Оплата громадам")

    def ready(self):
        from hromada.accounts import access

        from .models import BillingItem, BillingLine

        # Figures of a hromada are seen by the hromada, its oblast and the ministry (scope = path to the Unit).
        access.register(BillingLine, view_action="billing.view", path="hromada")
        access.register(BillingItem, view_action="billing.view", path="hromada")

        from hromada.core.registry import stranded_work

        from . import tasks

        stranded_work.provide("billing_runs", tasks.queue_stranded)
