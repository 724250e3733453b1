from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "hromada.children"
    label = "children"
    verbose_name = _("Захист прав дітей")

    def ready(self):
        from hromada.accounts import access
        from hromada.audit.backup import database_restored

        from .models import ChildCase
        from .services import flag_children_of_cases

        # Only the children's service of the responsible hromada/raion sees a case (PERMISSIONS).
        access.register(ChildCase, view_action="childcase.view", path="hromada")
        # A dump of a release before ``Person.in_child_case`` restores every child unflagged.
        database_restored.connect(flag_children_of_cases, dispatch_uid="children.flag_children_of_cases")
