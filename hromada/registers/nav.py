from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Проактивні пропозиції"), url_name="registers:offers", permission="application.intake",
            order=16, description=_("Народження, зареєстровані в громаді: запропонуйте допомогу при народженні.")),
    NavItem(label=_("Проактивні пропозиції: показники"), url_name="registers:offer_figures",
            permission="monitoring.view", order=60,
            description=_("Скільки народжень стали пропозиціями і скільки пропозицій — заявами, за громадами.")),
    NavItem(label=_("Журнал обміну з реєстрами (CSV)"), url_name="registers:log", permission="audit.view",
            order=80, description=_("Кожен запит до державних реєстрів через Трембіту: хто, коли, результат, хеш "
                                    "відповіді.")),
]
