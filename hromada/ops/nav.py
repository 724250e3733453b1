from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Експлуатація"), url_name="ops:status", permission="ops.view", order=90,
            description=_("Готовність системи та задачі, що не виконалися")),
]
