"""The back office's scope (``served_hromada_ids``) and the office that decides a hromada's cases
(``deciding_office_for``) are cached where every worker shares the cache, and every change of who serves which
hromada — an override, an office opened or closed, a hromada's unit, an import of the codifier — is seen at once. A
per-process cache is not used for them."""
import pytest
from django.core.cache import cache

from hromada.core.errors import ValidationFailed
from hromada.offices.models import Function, HromadaServing, Office, authority_of_kind
from hromada.offices.selectors import (
    SERVING_VERSION_KEY,
    _deciding_office,
    _route_key,
    _served_key,
    deciding_office_for,
    hromada_ids_served_by,
    served_hromada_ids,
)
from hromada.territory.models import Category, Unit
from hromada.territory.signals import codifier_imported


@pytest.fixture
def shared(settings, tmp_path):
    """A cache every worker would share (a file cache here; Redis in production)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path / "cache")}}


def _same(*offices):
    for office in offices:
        assert served_hromada_ids(office) == hromada_ids_served_by(office), office.name


def test_cached_until_who_serves_changes(shared, back, front2, django_assert_num_queries,
                                         django_capture_on_commit_callbacks):
    main = back.office
    raion_hromadas = list(Unit.objects.filter(category=Category.HROMADA, raion_id=main.territory_id).order_by("id"))
    expected = hromada_ids_served_by(main)
    assert served_hromada_ids(main) == expected
    with django_assert_num_queries(0):
        assert served_hromada_ids(main) == expected

    # An override moves a hromada to a new office (saved and deleted rows: post_save, post_delete).
    city = Office.objects.create(name="Міський центр ПФУ", function=Function.BACK, kind=main.kind,
                                 territory=raion_hromadas[0])
    _same(main, city)
    serving = HromadaServing.objects.create(hromada=raion_hromadas[0], back_office=city)
    assert raion_hromadas[0].pk not in served_hromada_ids(main)
    _same(main, city)
    serving.delete()
    assert raion_hromadas[0].pk in served_hromada_ids(main)
    _same(main, city)

    # The office closes; the raion's hromada is deactivated by hand; then by an import (bulk: its own signal).
    main.is_active = False
    main.save()
    assert served_hromada_ids(main) == []
    main.is_active = True
    main.save()
    _same(main)
    unit = raion_hromadas[1]
    unit.is_active = False
    unit.save()
    assert unit.pk not in served_hromada_ids(main)
    Unit.objects.filter(pk=unit.pk).update(is_active=True)          # as an import writes it: no post_save
    with django_capture_on_commit_callbacks(execute=True):
        codifier_imported.send(sender=Unit, result=None)
    assert unit.pk in served_hromada_ids(main)
    _same(main, city)


def test_an_answer_from_another_version_is_never_used(shared, back):
    office = back.office
    right = hromada_ids_served_by(office)
    cache.set(_served_key(office.pk), ("old", [999999]), 60)
    assert served_hromada_ids(office) == right                         # another version than the current one
    cache.delete(SERVING_VERSION_KEY)                                  # the version itself evicted (a cold cache)
    cache.set(_served_key(office.pk), (None, [999999]), 60)
    assert served_hromada_ids(office) == right
    with_version = cache.get(_served_key(office.pk))
    assert with_version == (cache.get(SERVING_VERSION_KEY), right) and with_version[0]


def test_a_per_process_cache_is_not_used_for_it(back, settings, django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    expected = hromada_ids_served_by(back.office)
    served_hromada_ids(back.office)
    with django_assert_num_queries(1):   # asked again, not kept: another worker could not make this one forget it
        assert served_hromada_ids(back.office) == expected
    assert cache.get(_served_key(back.office.pk)) is None and cache.get(SERVING_VERSION_KEY) is None


def _routed(hromada, authority):
    """The office ``deciding_office_for`` gives, or None where it refuses (no office decides)."""
    try:
        return deciding_office_for(hromada, authority)
    except ValidationFailed:
        return None


def test_the_deciding_office_is_cached_until_who_serves_changes(shared, back, django_assert_num_queries,
                                                                django_capture_on_commit_callbacks):
    main = back.office
    authority = authority_of_kind(main.kind)
    hromada, other = Unit.objects.filter(category=Category.HROMADA, raion_id=main.territory_id).order_by("id")[:2]
    assert _routed(hromada, authority) == main == _deciding_office(hromada, authority)
    with django_assert_num_queries(1):                 # the office by its key; the rule is not asked again
        assert _routed(hromada, authority) == main
    # An override sends the hromada to another office, at once; deleted, the hromada goes back.
    city = Office.objects.create(name="Міський центр", function=Function.BACK, kind=main.kind, territory=hromada)
    serving = HromadaServing.objects.create(hromada=hromada, back_office=city)
    assert _routed(hromada, authority) == city and _routed(other, authority) == main
    serving.delete()
    assert _routed(hromada, authority) == main
    # The office closes: nobody decides (the submission is refused), then it opens again.
    main.is_active = False
    main.save()
    assert _routed(hromada, authority) is None
    Office.objects.filter(pk=main.pk).update(is_active=True)   # written without post_save, then an import's signal
    with django_capture_on_commit_callbacks(execute=True):
        codifier_imported.send(sender=Unit, result=None)
    assert _routed(hromada, authority) == main
    # The hromada moves to another raion (its unit saved): the old raion's office no longer decides it.
    elsewhere = Unit.objects.filter(category=Category.RAION).exclude(pk=main.territory_id).order_by("id").first()
    hromada.raion = elsewhere
    hromada.save()
    assert _routed(hromada, authority) == _deciding_office(hromada, authority) != main


def test_a_cached_route_from_another_version_or_another_raion_is_never_used(shared, back):
    main = back.office
    authority = authority_of_kind(main.kind)
    hromada = Unit.objects.filter(category=Category.HROMADA, raion_id=main.territory_id).order_by("id").first()
    stray = Office.objects.create(name="Чужий офіс", function=Function.BACK, kind=main.kind, territory=hromada)
    key = _route_key(hromada.pk, hromada.raion_id, authority)
    cache.set(key, ("old", stray.pk), 60)
    assert _routed(hromada, authority) == main                         # another version than the current one
    assert cache.get(key) == (cache.get(SERVING_VERSION_KEY), main.pk)
    # An answer kept for the hromada as it was in another raion is not given for it now.
    cache.set(_route_key(hromada.pk, hromada.raion_id + 1, authority), (cache.get(SERVING_VERSION_KEY), stray.pk), 60)
    assert _routed(hromada, authority) == main


def test_a_per_process_cache_is_not_used_for_the_route(back, settings, django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    main = back.office
    authority = authority_of_kind(main.kind)
    hromada = Unit.objects.filter(category=Category.HROMADA, raion_id=main.territory_id).order_by("id").first()
    assert _routed(hromada, authority) == main
    with django_assert_num_queries(1):   # the rule asked again (its one query), nothing kept in this process
        assert _routed(hromada, authority) == main
    assert cache.get(_route_key(hromada.pk, hromada.raion_id, authority)) is None
