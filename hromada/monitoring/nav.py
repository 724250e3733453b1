from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Моніторинг"), url_name="monitoring:dashboard", permission="monitoring.view", order=60,
            description=_("Показники громад, районів, областей і країни: графіки, рейтинги, експорт")),
    NavItem(label=_("Підключення громад"), url_name="monitoring:onboarding", permission="monitoring.view", order=61,
            description=_("Етапи підключення громад до системи та прогрес за областями")),
    NavItem(label=_("Робочі місця"), url_name="monitoring:workplaces", permission="monitoring.view", order=62,
            description=_("Робочі місця фронт-офісів, обладнання, план і факт облаштування")),
    NavItem(label=_("Соціальні послуги: показники"), url_name="monitoring:social", permission="monitoring.view",
            order=63, description=_("Заяви, оцінювання потреб у строк, отримувачі за послугами, черги очікування")),
]
