"""An override (HromadaServing) to an office that no longer works counts as no override — for routing
(``back_office_for`` / ``deciding_office_for``) and for who serves the hromada (``hromada_ids_served_by``, hence the
access layer's scope and the back office's hromada filter) alike: the hromada is served by the office routing
actually sends its cases to."""
from hromada.accounts import access
from hromada.accounts.models import Role, User
from hromada.backoffice.selectors import queue_choices
from hromada.offices.models import AUTHORITY_KINDS, Authority, Function, Kind, Office
from hromada.offices.selectors import back_office_for, deciding_office_for, hromada_ids_served_by
from hromada.offices.services import assign_back_office
from hromada.territory.models import Category, Unit


def _staff(office: Office, username: str) -> User:
    return User.objects.create_user(username=username, password="x" * 12, role=Role.BACK_SPECIALIST, office=office)


def _served_by_everyone(hromada: Unit, authority: str) -> list[Office]:
    """Every active back office of the authority whose served set holds the hromada (exactly one, by the rule)."""
    offices = Office.objects.filter(function=Function.BACK, kind__in=AUTHORITY_KINDS[authority])
    return [o for o in offices if hromada.pk in hromada_ids_served_by(o)]


def test_override_to_a_closed_office_is_ignored_by_routing_and_by_the_served_sets(demo):
    hromada = Unit.objects.get(code="UA18080010000090720")          # Баранівська громада, Звягельський район
    raion_office = back_office_for(hromada)                         # the raion's social protection: the default
    assert raion_office.territory_id == hromada.raion_id
    city = Office.objects.create(name="Управління соцзахисту міста (тест)", function=Function.BACK,
                                 kind=Kind.CITY_SOCIAL_PROTECTION, territory=hromada)
    assign_back_office(hromada=hromada, back_office=city)
    # Another raion's hromada routed here too: when this office closes it returns to its own raion's office.
    other_raion = (Office.objects.filter(function=Function.BACK, kind=Kind.RAION_SOCIAL_PROTECTION, is_active=True)
                   .exclude(territory_id=hromada.raion_id).order_by("id").values_list("territory_id", flat=True)[0])
    elsewhere = Unit.objects.filter(category=Category.HROMADA, is_active=True, raion_id=other_raion).order_by("id")[0]
    elsewhere_default = back_office_for(elsewhere)
    assign_back_office(hromada=elsewhere, back_office=city)
    city_staff, raion_staff = _staff(city, "city_back_t"), _staff(raion_office, "raion_back_t")

    assert back_office_for(hromada) == city and back_office_for(elsewhere) == city
    assert sorted(hromada_ids_served_by(city)) == sorted([hromada.pk, elsewhere.pk])
    assert hromada.pk not in hromada_ids_served_by(raion_office)
    assert _served_by_everyone(hromada, Authority.SOCIAL_PROTECTION) == [city]

    city.is_active = False
    city.save(update_fields=["is_active"])
    # Routing skips the closed office …
    assert back_office_for(hromada) == raion_office
    assert deciding_office_for(elsewhere, Authority.SOCIAL_PROTECTION) == elsewhere_default
    # … and the served sets agree with it: the closed office serves none, the raion offices take their hromadas back.
    assert hromada_ids_served_by(city) == []
    assert hromada.pk in hromada_ids_served_by(raion_office)
    assert elsewhere.pk in hromada_ids_served_by(elsewhere_default)
    assert _served_by_everyone(hromada, Authority.SOCIAL_PROTECTION) == [raion_office]
    assert _served_by_everyone(elsewhere, Authority.SOCIAL_PROTECTION) == [elsewhere_default]
    # The access layer and the back office's filter read the same rule.
    city_staff = User.objects.get(pk=city_staff.pk)
    raion_staff = User.objects.get(pk=raion_staff.pk)
    assert access.served_hromada_ids(city_staff) == []
    assert not access.scope_of(city_staff).contains_hromada(hromada)
    assert hromada.pk in access.served_hromada_ids(raion_staff)
    assert access.scope_of(raion_staff).contains_hromada(hromada)
    assert ((hromada.pk, hromada.name) in queue_choices(raion_staff).hromadas
            and queue_choices(city_staff).hromadas == [])

    city.is_active = True                                            # reopened: the override applies again
    city.save(update_fields=["is_active"])
    assert back_office_for(hromada) == city
    assert _served_by_everyone(hromada, Authority.SOCIAL_PROTECTION) == [city]
