from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [NavItem(label=_("Журнал аудиту"), url_name="audit:list", permission="audit.view", order=90,
                 description=_("Хто, коли і що переглядав або змінював; перевірка цілісності."))]
