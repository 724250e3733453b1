from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Черга заяв"), url_name="back:queue", permission="application.take", order=20,
            description=_("Заяви від усіх фронт-офісів, які обслуговує бек-офіс: взяти в роботу, розглянути, вирішити.")),
    NavItem(label=_("Прострочені й навантаження"), url_name="back:board", permission="application.assign", order=21,
            description=_("Прострочені заяви та навантаження на фахівців; призначення виконавців.")),
]
