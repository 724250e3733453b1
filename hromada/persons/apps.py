from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonsConfig(AppConfig):
    name = "hromada.persons"
    label = "persons"
    verbose_name = _("Реєстр осіб")

    def ready(self):
        from django.db.models.signals import post_save

        from hromada.accounts import access
        from hromada.territory.models import Unit
        from hromada.territory.signals import codifier_imported

        from .models import Person
        from .scoping import person_scope_q, rule_key
        from .services import follow_settlement_raions

        access.register(Person, view_action="person.view", q=person_scope_q, key=rule_key)

        # ``Person.raion`` is the settlement's: a settlement moved to another raion moves its residents, whether one
        # unit was saved (the admin) or the codifier's import moved many in bulk (no post_save for those).
        def unit_saved(sender, instance, created=False, raw=False, **kwargs):
            if not (created or raw):  # a new unit has no residents yet; a fixture's load is not a move
                follow_settlement_raions([instance.pk])

        post_save.connect(unit_saved, sender=Unit, weak=False, dispatch_uid="persons.raion.unit")
        def codifier_moved(sender, result=None, **kwargs):
            # Only the units the import moved to another raion: no scan of every person. A signal that does not
            # say what changed (no result) follows every settlement.
            if result is None:
                follow_settlement_raions()
            elif result.raion_moved:
                follow_settlement_raions(result.raion_moved)

        codifier_imported.connect(codifier_moved, weak=False, dispatch_uid="persons.raion.codifier")
