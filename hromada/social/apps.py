from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "hromada.social"
    label = "social"
    verbose_name = _("Соціальні послуги")

    def ready(self):
        from hromada.accounts import access
        from hromada.catalog import slots

        from . import pdf, selectors, services
        from .models import Provider, SocialCase
        from .selectors import own_clients

        # The hromada's social-work specialists see its cases; a provider's worker only its own clients.
        access.register(SocialCase, view_action="socialcase.view", path="hromada", refine=own_clients)
        # The register of providers carries no personal data: every role sees those of its scope.
        access.register(Provider, view_action="socialprovider.view", path="hromada")
        # The front office's one intake wizard takes applications for social services (catalog/slots.py).
        slots.social_intake_choices.provide(selectors.intake_choices)
        slots.social_case_from_application.provide(services.open_case_from_application)
        slots.social_public_status.provide(selectors.public_status_of_application)
        # The front office hands the decision over: its card shows it, and prints the case's own notice.
        slots.social_decision.provide(selectors.application_decision)
        slots.social_decisions.provide(selectors.application_decisions)
        slots.social_decision_pdf.provide(pdf.application_notice_pdf)
