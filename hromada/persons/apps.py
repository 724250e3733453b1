from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonsConfig(AppConfig):
    name = "hromada.persons"
    label = "persons"
    verbose_name = _("Реєстр осіб")

    def ready(self):
        from hromada.accounts import access

        from .models import Person
        from .scoping import person_scope_q

        access.register(Person, view_action="person.view", q=person_scope_q)
