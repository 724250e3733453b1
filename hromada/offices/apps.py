from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "hromada.offices"
    label = "offices"
    verbose_name = _("Офіси")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from hromada.accounts import access
        from hromada.accounts.services import forget_cached_users
        from hromada.audit import services as audit
        from hromada.territory.models import Unit
        from hromada.territory.signals import codifier_imported

        from .models import HromadaServing, Office
        from .selectors import forget_served_hromadas, served_hromada_ids

        access.hromadas_served_by.provide(served_hromada_ids)
        # The audit chain of an entry about no one hromada is its actor's office's oblast (audit.services._chain_of).
        audit.unit_of_office.provide(
            lambda office_id: next((hromada_id or territory_id for hromada_id, territory_id in
                                    Office.objects.filter(pk=office_id).values_list("hromada_id", "territory_id")),
                                   None))

        # An office closed or moved changes what a cached token lookup or session user of its staff allows, and which
        # audit chain their entries about no hromada open: forget both.
        def office_changed(sender, instance, **kwargs):
            forget_cached_users(office_ids=[instance.pk])
            audit.forget_office_chain(instance.pk)

        for signal in (post_save, post_delete):
            signal.connect(office_changed, sender=Office, weak=False, dispatch_uid=f"accounts.office.{signal}")
            # Who serves which hromada: an office, an override, a hromada (its raion, whether it is active).
            for model in (Office, HromadaServing, Unit):
                signal.connect(forget_served_hromadas, sender=model,
                               dispatch_uid=f"offices.served.{model.__name__}.{signal}")
        codifier_imported.connect(forget_served_hromadas, dispatch_uid="offices.served.codifier")
