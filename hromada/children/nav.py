from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Справи дітей"), url_name="children:list", permission="childcase.view", order=60,
            description=_("Діти у складних життєвих обставинах: повідомлення, оцінювання потреб, план, перегляди")),
]
