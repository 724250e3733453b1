from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "hromada.backoffice"
    label = "backoffice"
    verbose_name = _("Бек-офіс")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from hromada.accounts.models import User
        from hromada.accounts.signals import staff_written_in_bulk
        from hromada.applications import slots
        from hromada.catalog.models import ServiceType
        from hromada.territory.models import Unit
        from hromada.territory.signals import codifier_imported

        from . import pdf, selectors

        # The front office's case page and results list show the decision and print its notice.
        slots.decision_summary.provide(selectors.decision_summary)
        slots.decision_pdf.provide(pdf.decision_pdf)
        slots.decision_for.provide(selectors.decision_for)

        # The queue's cached filter lists show services, colleagues and hromadas' names: any change of them voids the
        # lists (a migration may have loaded services; a codifier import or the dataset writes in bulk, without post_save).
        post_save.connect(selectors.forget_queue_lists_for_user, sender=User, dispatch_uid="backoffice.lists.user")
        for model in (ServiceType, Unit):
            post_save.connect(selectors.forget_queue_lists, sender=model,
                              dispatch_uid=f"backoffice.lists.{model.__name__}.save")
        for model in (User, ServiceType, Unit):
            post_delete.connect(selectors.forget_queue_lists, sender=model,
                                dispatch_uid=f"backoffice.lists.{model.__name__}.delete")
        codifier_imported.connect(selectors.forget_queue_lists, dispatch_uid="backoffice.lists.codifier")
        staff_written_in_bulk.connect(selectors.forget_queue_lists, dispatch_uid="backoffice.lists.staff")
        post_migrate.connect(selectors.forget_queue_lists_after_migrate, sender=self,
                             dispatch_uid="backoffice.lists.migrate")
