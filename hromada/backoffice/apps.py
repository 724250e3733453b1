from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "hromada.backoffice"
    label = "backoffice"
    verbose_name = _("Бек-офіс")

    def ready(self):
        from hromada.applications import slots

        from . import pdf, selectors

        # The front office's case page and results list show the decision and print its notice.
        slots.decision_summary.provide(selectors.decision_summary)
        slots.decision_pdf.provide(pdf.decision_pdf)
        slots.decision_for.provide(selectors.decision_for)
