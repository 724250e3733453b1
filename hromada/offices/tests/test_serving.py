"""Which hromadas a back office serves: explicit overrides plus the raion default of the raion's first office."""
from hromada.offices.models import Function, HromadaServing, Office
from hromada.offices.selectors import back_office_for, hromada_ids_served_by
from hromada.territory.models import Category, Unit


def reference(office: Office) -> list[int]:
    """The rule spelled out step by step, to compare the one-query selector with."""
    if office.function != Function.BACK:
        return []
    explicit = set(HromadaServing.objects.filter(back_office=office).values_list("hromada_id", flat=True))
    default = set()
    first = (Office.objects.filter(function=Function.BACK, is_active=True, territory_id=office.territory_id)
             .order_by("id").first())
    if office.territory.category == Category.RAION and first == office:
        overridden = set(HromadaServing.objects.exclude(back_office=office).values_list("hromada_id", flat=True))
        default = set(Unit.objects.filter(category=Category.HROMADA, raion_id=office.territory_id, is_active=True)
                      .values_list("id", flat=True)) - overridden
    return sorted(explicit | default)


def test_served_hromadas_follow_overrides_and_the_first_raion_office(back, front2):
    main = back.office
    raion_hromadas = list(Unit.objects.filter(category=Category.HROMADA, raion_id=main.territory_id).order_by("id"))
    assert len(raion_hromadas) >= 3
    assert hromada_ids_served_by(main) == reference(main)
    assert {h.pk for h in raion_hromadas if h.is_active} <= set(hromada_ids_served_by(main))

    city = Office.objects.create(name="Міський відділ", function=Function.BACK, kind=main.kind,
                                 territory=raion_hromadas[0])
    HromadaServing.objects.create(hromada=raion_hromadas[0], back_office=city)
    HromadaServing.objects.create(hromada=front2.office.hromada, back_office=main)  # served from another raion
    second = Office.objects.create(name="Другий відділ району", function=Function.BACK, kind=main.kind,
                                   territory=main.territory)
    front = Office.objects.filter(function=Function.FRONT).first()
    for office in (main, city, second, front):
        assert hromada_ids_served_by(office) == reference(office), office.name
    assert raion_hromadas[0].pk not in hromada_ids_served_by(main)
    assert front2.office.hromada_id in hromada_ids_served_by(main)
    assert hromada_ids_served_by(city) == [raion_hromadas[0].pk]
    assert hromada_ids_served_by(second) == []           # the raion's default belongs to its first office
    assert back_office_for(raion_hromadas[1]) == main

    main.is_active = False
    main.save()
    assert hromada_ids_served_by(second) == reference(second)
    assert set(hromada_ids_served_by(second)) >= {h.pk for h in raion_hromadas[1:] if h.is_active}
    assert hromada_ids_served_by(main) == reference(main) == [front2.office.hromada_id]
