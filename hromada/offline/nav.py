from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [NavItem(label=_("Прийом без зв’язку"), url_name="offline:intake", permission="application.intake", order=25,
                 description=_("Прийняти заяву, коли немає інтернету чи світла: дані зберігаються на комп’ютері "
                               "й надсилаються, щойно з’явиться зв’язок."))]
