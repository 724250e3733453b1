from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "hromada.children"
    label = "children"
    verbose_name = _("Захист прав дітей")

    def ready(self):
        from hromada.accounts import access

        from .models import ChildCase

        # Only the children's service of the responsible hromada/raion sees a case (PERMISSIONS).
        access.register(ChildCase, view_action="childcase.view", path="hromada")
