from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Нова заява"), url_name="front:new", permission="application.intake", order=11,
            description=_("Прийняти заяву: послуга, заявник і сім’я, скани документів за переліком, повідомлення.")),
    NavItem(label=_("Заяви громади"), url_name="front:list", permission="application.intake", order=12,
            description=_("Усі заяви громади з фільтрами за статусом і послугою.")),
    NavItem(label=_("Повернуті на доопрацювання"), url_name="front:returned", permission="application.intake",
            order=13, description=_("Заяви, які бек-офіс повернув: причина, що виправити, повторне надсилання.")),
    NavItem(label=_("Результати до видачі"), url_name="front:results", permission="application.intake", order=14,
            description=_("Рішення, які надійшли з бек-офісу: видати заявнику.")),
]
