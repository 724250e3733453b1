from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "hromada.offices"
    label = "offices"
    verbose_name = _("Офіси")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from hromada.accounts import access
        from hromada.accounts.services import forget_tokens

        from .models import Office
        from .selectors import hromada_ids_served_by

        access.hromadas_served_by.provide(hromada_ids_served_by)

        # An office closed or moved changes what a cached token lookup of its staff allows: forget it.
        def office_changed(sender, instance, **kwargs):
            forget_tokens(office_ids=[instance.pk])

        for signal in (post_save, post_delete):
            signal.connect(office_changed, sender=Office, weak=False, dispatch_uid=f"accounts.office.{signal}")
