from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "hromada.registers"
    label = "registers"
    verbose_name = _("Державні реєстри (Трембіта)")

    def ready(self):
        from hromada.accounts import access
        from hromada.applications import slots

        from . import panels, services
        from .models import ProactiveOffer

        # Checks and the exchange log are read through their case (access to the Application decides); offers
        # belong to a hromada's front office.
        access.register(ProactiveOffer, view_action="application.intake", path="hromada")
        # The front office's case page shows the checks; submitting a case starts them (applications is a floor below).
        slots.registers_panel.provide(panels.front_panel)
        slots.case_submitted.provide(services.checks_on_submission)

        from hromada.core.registry import stranded_work

        from . import tasks

        stranded_work.provide("register_checks", tasks.queue_stranded)
