from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Не вдалося сповістити"), url_name="notifications:failed", permission="application.intake",
            order=15, description=_("SMS і листи заявникам, які не дійшли: зателефонуйте заявнику.")),
]
