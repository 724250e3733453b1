from django.utils.translation import gettext_lazy as _

from hromada.core.navigation import NavItem

ITEMS = [
    NavItem(label=_("Особи"), url_name="persons:search", permission="person.view", order=10,
            description=_("Знайти особу за РНОКПП, документом або ПІБ; зареєструвати особу та її домогосподарство.")),
]
