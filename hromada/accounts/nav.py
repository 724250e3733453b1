from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [NavItem(label=_("Безпека"), url_name="accounts:security", permission="account.self", order=200,
                 description=_("Пароль, двофакторна автентифікація, API-токени."))]
