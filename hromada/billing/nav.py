from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Оплата громадам"), url_name="billing:periods", permission="billing.view", order=60,
            description=_("Розрахункові періоди, акти громад, реєстр оплати")),
    NavItem(label=_("Бюджет оплати"), url_name="billing:budget", permission="billing.run", order=61,
            description=_("Передбачено, зобов’язання, залишок і прогноз до кінця року")),
    NavItem(label=_("Тарифи"), url_name="billing:tariffs", permission="billing.tariffs", order=62,
            description=_("Сума за одну прийняту заяву: типова й за послугами, з історією")),
]
