"""The days off decide legal terms: a holiday added, moved or withdrawn is seen by the next computation — in every
worker at once where the cache is shared (Redis), and without one too."""
from datetime import date

import pytest

from hromada.catalog import calendar
from hromada.catalog.models import Holiday

FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
DAY = date(2026, 11, 25)     # a Wednesday, no holiday of the shipped calendar
MOVED = date(2026, 11, 26)


def _changes_are_seen(django_capture_on_commit_callbacks):
    assert calendar.is_working_day(DAY)
    with django_capture_on_commit_callbacks(execute=True):
        holiday = Holiday.objects.create(date=DAY, name="Тестовий вихідний", is_day_off=True)
    assert not calendar.is_working_day(DAY)
    # Moved to another day: as many days off as before, and still the move is seen.
    with django_capture_on_commit_callbacks(execute=True):
        holiday.date = MOVED
        holiday.save()
    assert calendar.is_working_day(DAY) and not calendar.is_working_day(MOVED)
    with django_capture_on_commit_callbacks(execute=True):
        holiday.delete()
    assert calendar.is_working_day(MOVED)


def test_every_change_is_seen_without_a_shared_cache(db, django_capture_on_commit_callbacks):
    _changes_are_seen(django_capture_on_commit_callbacks)


def test_every_change_is_seen_with_a_shared_cache(db, settings, tmp_path, django_capture_on_commit_callbacks,
                                                  django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path / "cache")}}
    _changes_are_seen(django_capture_on_commit_callbacks)
    off = calendar.days_off()
    with django_assert_num_queries(0):     # read from the shared cache, not the database
        assert calendar.days_off() == off


@pytest.mark.parametrize("shared", [False, True])
def test_a_change_made_by_another_worker_is_seen(db, settings, tmp_path, shared, django_capture_on_commit_callbacks):
    """Another worker's change reaches this one through the database (no shared cache) or the shared version: this
    process's signals never ran for it."""
    if shared:
        settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path / "cache")}}
    assert calendar.is_working_day(DAY)
    Holiday.objects.bulk_create([Holiday(date=DAY, name="Тестовий вихідний", is_day_off=True)])  # no signals
    if shared:
        from django.core.cache import cache
        assert calendar.is_working_day(DAY)          # the version is still the old one: cached
        cache.set(calendar.DAYS_OFF_VERSION_KEY, "another worker's change", None)
    assert not calendar.is_working_day(DAY)
