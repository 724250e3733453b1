"""Which hromadas a back office serves: one rule with ``deciding_office_for`` (overrides to active offices, else the
authority's first active office of the raion or hromada)."""
from hromada.core.errors import ValidationFailed
from hromada.offices.models import Authority, Function, HromadaServing, Kind, Office, authority_of_kind
from hromada.offices.selectors import back_office_for, deciding_office_for, hromada_ids_served_by
from hromada.territory.models import Category, Unit


def reference(office: Office, hromadas) -> list[int]:
    """The rule spelled out through the submission's own selector: the hromadas whose cases it sends here."""
    authority = authority_of_kind(office.kind)
    if office.function != Function.BACK or authority is None:
        return []
    served = []
    for h in hromadas:
        try:
            decider = deciding_office_for(h, authority)
        except ValidationFailed:          # no office at all for this hromada: served by none
            continue
        if decider == office:
            served.append(h.pk)
    return sorted(served)


def test_served_hromadas_follow_overrides_and_the_first_raion_office(back, front2):
    main = back.office                                    # the Pension Fund centre of Звягельський район
    assert main.kind == Kind.PFU_SERVICE_CENTRE
    raion_hromadas = list(Unit.objects.filter(category=Category.HROMADA, raion_id=main.territory_id).order_by("id"))
    assert len(raion_hromadas) >= 3
    considered = [h for h in raion_hromadas if h.is_active] + [front2.office.hromada]
    assert hromada_ids_served_by(main) == reference(main, considered)
    assert {h.pk for h in raion_hromadas if h.is_active} <= set(hromada_ids_served_by(main))

    city = Office.objects.create(name="Міський центр ПФУ", function=Function.BACK, kind=main.kind,
                                 territory=raion_hromadas[0])
    HromadaServing.objects.create(hromada=raion_hromadas[0], back_office=city)
    HromadaServing.objects.create(hromada=front2.office.hromada, back_office=main)  # served from another raion
    second = Office.objects.create(name="Другий центр ПФУ району", function=Function.BACK, kind=main.kind,
                                   territory=main.territory)
    social = back_office_for(raion_hromadas[1])           # another authority: its own default, untouched
    front = Office.objects.filter(function=Function.FRONT).first()
    for office in (main, city, second, front, social):
        assert hromada_ids_served_by(office) == reference(office, considered), office.name
    assert raion_hromadas[0].pk not in hromada_ids_served_by(main)
    assert raion_hromadas[0].pk in hromada_ids_served_by(social)  # the PFU override does not move social cases
    assert front2.office.hromada_id in hromada_ids_served_by(main)
    assert hromada_ids_served_by(city) == [raion_hromadas[0].pk]
    assert hromada_ids_served_by(second) == []           # the raion's default belongs to its first office
    assert deciding_office_for(raion_hromadas[1], Authority.PENSION_FUND) == main

    main.is_active = False
    main.save()
    assert hromada_ids_served_by(second) == reference(second, considered)
    assert set(hromada_ids_served_by(second)) >= {h.pk for h in raion_hromadas[1:] if h.is_active}
    # A closed office serves nobody: its override counts as none for both selectors (the previous rule kept the
    # hromada in the closed office's scope while submissions went to the raion's office).
    assert hromada_ids_served_by(main) == reference(main, considered) == []
    assert deciding_office_for(front2.office.hromada, Authority.PENSION_FUND) == back_office_for_pfu(front2)


def back_office_for_pfu(user):
    return Office.objects.filter(function=Function.BACK, kind=Kind.PFU_SERVICE_CENTRE, is_active=True,
                                 territory_id=user.office.hromada.raion_id).order_by("id").first()
