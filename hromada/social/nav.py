from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Соціальні послуги"), url_name="social:list", permission="socialcase.view", order=62,
            description=_("Заяви, оцінювання потреб, рішення, індивідуальні плани, надання послуг")),
    NavItem(label=_("Заява на соціальні послуги"), url_name="social:new", permission="socialcase.intake", order=63,
            description=_("Прийом заяви про надання соціальних послуг: квитанція з кодом перевірки")),
    NavItem(label=_("Надання послуг (мої отримувачі)"), url_name="social:deliveries", permission="socialcase.deliver",
            order=64, description=_("Відмітити візит або надану послугу з телефона")),
    NavItem(label=_("Надавачі соціальних послуг"), url_name="social:providers", permission="socialprovider.manage",
            order=65, description=_("Реєстр надавачів громади: послуги, місця, черги очікування")),
]
