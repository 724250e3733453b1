"""Demo billing data: an ILLUSTRATIVE default tariff and budget line (not official figures). Idempotent."""
from datetime import date
from decimal import Decimal

from django.utils import timezone

from hromada.accounts.models import User

from .models import BudgetLine, Tariff

DEMO_BASIS = "ілюстративний тариф, не офіційний (демонстраційні дані)"
DEMO_BUDGET_BASIS = ("ілюстративна сума, не офіційна (демонстраційні дані; у 2020 р. на оплату громадам "
                     "передбачали 150 млн грн)")


def seed() -> None:
    ministry = User.objects.filter(username="ministry_demo").first()
    if not Tariff.objects.filter(basis=DEMO_BASIS).exists():
        Tariff.objects.create(service=None, amount=Decimal("50.00"), effective_from=date(2020, 1, 1),
                              basis=DEMO_BASIS, set_by=ministry)
    BudgetLine.objects.get_or_create(year=timezone.localdate().year,
                                     defaults={"allocated": Decimal("150000000.00"), "basis": DEMO_BUDGET_BASIS,
                                               "set_by": ministry})
