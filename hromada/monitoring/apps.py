from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "hromada.monitoring"
    label = "monitoring"
    verbose_name = _("Моніторинг")

    def ready(self):
        from hromada.accounts import access

        from .models import DecisionDays, Equipment, HromadaMonth, OnboardingStep, Workplace

        access.register(HromadaMonth, view_action="monitoring.view", path="hromada")
        access.register(DecisionDays, view_action="monitoring.view", path="hromada")
        access.register(OnboardingStep, view_action="monitoring.view", path="hromada")
        access.register(Workplace, view_action="monitoring.view", path="office__hromada")
        access.register(Equipment, view_action="monitoring.view", path="workplace__office__hromada")
