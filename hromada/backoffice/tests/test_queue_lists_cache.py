"""The queue's filter lists are cached per office where the cache is shared, and every change they show is seen by
the next page: a colleague hired, renamed, moved or deactivated, a service renamed, a hromada renamed, a change of
who the office serves, a codifier import or a bulk write of staff — and a login is not such a change."""
import pytest
from django.contrib.auth.models import update_last_login
from django.db.models.signals import post_migrate

from hromada.accounts.models import Role, User
from hromada.accounts.services import create_staff_user
from hromada.accounts.signals import staff_written_in_bulk
from hromada.backoffice.selectors import queue_choices
from hromada.catalog.models import ServiceType
from hromada.offices.models import Function, HromadaServing, Office
from hromada.territory.models import Category, Unit
from hromada.territory.signals import codifier_imported

FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


@pytest.fixture
def shared(settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path / "cache")}}


def staff_names(user):
    return [name for _, name in queue_choices(user).staff]


def test_the_lists_are_read_once_then_from_the_shared_cache(shared, back, django_assert_num_queries):
    first = queue_choices(back)
    with django_assert_num_queries(0):
        assert queue_choices(back) == first


def test_the_lists_are_read_every_time_without_a_shared_cache(back, settings, django_assert_max_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    queue_choices(back)
    with django_assert_max_num_queries(4) as captured:
        queue_choices(back)
    assert len(captured) >= 3            # services, hromadas' names, colleagues


def test_colleagues_hired_renamed_moved_and_deactivated_are_seen(shared, back, django_capture_on_commit_callbacks):
    queue_choices(back)
    with django_capture_on_commit_callbacks(execute=True):
        new = create_staff_user(username="new_colleague", password="x", role=Role.BACK_SPECIALIST,
                                last_name="Яковенко", first_name="Олена", office=back.office, check_password=False)
    assert "Яковенко О." in staff_names(back)
    new.last_name = "Андрієнко"
    new.save()
    assert "Андрієнко О." in staff_names(back) and "Яковенко О." not in staff_names(back)
    new.is_active = False
    new.save(update_fields=["is_active"])
    assert "Андрієнко О." not in staff_names(back)
    new.is_active = True
    new.save()
    other = Office.objects.exclude(pk=back.office_id).filter(function=Function.BACK).first()
    new.office = other
    new.save()
    assert "Андрієнко О." not in staff_names(back)


def test_a_login_or_a_new_password_keeps_the_lists(shared, back, django_assert_num_queries):
    first = queue_choices(back)
    update_last_login(None, back)         # what Django's login does: saves last_login alone
    assert User.objects.get(pk=back.pk).last_login == back.last_login is not None
    back.set_password("another-password-2026")
    back.save(update_fields=["password"])
    with django_assert_num_queries(0):
        assert queue_choices(back) == first


def test_a_renamed_service_and_hromada_are_seen(shared, back, settings):
    choices = queue_choices(back)
    service = ServiceType.objects.get(code=choices.services[0][0])
    service.name_uk = "Перейменована послуга"
    service.save()
    assert (service.code, "Перейменована послуга") in queue_choices(back).services
    hromada = Unit.objects.get(pk=choices.hromadas[0][0])
    hromada.name = "Перейменована"
    hromada.save()
    assert (hromada.pk, "Перейменована") in queue_choices(back).hromadas


def test_another_hromada_served_is_seen_at_once(shared, back):
    """Who the office serves has its own version (offices.selectors): the served ids are part of the lists' key."""
    before = {pk for pk, _ in queue_choices(back).hromadas}
    elsewhere = (Unit.objects.filter(category=Category.HROMADA, is_active=True)
                 .exclude(raion_id=back.office.territory_id).exclude(pk__in=before).first())
    HromadaServing.objects.create(hromada=elsewhere, back_office=back.office)
    as_next_request = User.objects.get(pk=back.pk)       # a user keeps its scope for the request it came with
    assert {pk for pk, _ in queue_choices(as_next_request).hromadas} == before | {elsewhere.pk}


@pytest.mark.parametrize("bulk_change", ["codifier", "staff", "migrate"])
def test_bulk_writes_void_the_lists(shared, back, bulk_change, django_assert_num_queries):
    """Writes that send no post_save for their rows say so with a signal of their own."""
    queue_choices(back)
    # Written around the signals: the cached lists do not know of it until the signal.
    User.objects.filter(pk=back.pk).update(last_name="Масовий")
    with django_assert_num_queries(0):
        queue_choices(back)
    if bulk_change == "codifier":
        codifier_imported.send(sender=Unit, result=None)
    elif bulk_change == "staff":
        staff_written_in_bulk.send(sender=User)
    else:
        from django.apps import apps
        config = apps.get_app_config("backoffice")
        post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default",
                          apps=apps, plan=[])
    assert any(name.startswith("Масовий ") for name in staff_names(back))


def test_a_cache_that_fails_does_not_fail_a_migration(back, settings, monkeypatch, caplog):
    from hromada.backoffice import selectors

    def broken():
        raise ConnectionError("the cache is down")
    monkeypatch.setattr(selectors, "forget_queue_lists", broken)
    selectors.forget_queue_lists_after_migrate()
    assert "were not forgotten after the migration" in caplog.text


def test_a_deleted_colleague_is_seen(shared, back):
    gone = create_staff_user(username="leaving_colleague", password="x", role=Role.BACK_SPECIALIST,
                             last_name="Яремчук", first_name="Іван", office=back.office, check_password=False)
    assert "Яремчук І." in staff_names(back)
    gone.delete()
    assert "Яремчук І." not in staff_names(back)


def test_offices_serving_the_same_hromadas_keep_their_own_colleagues(shared, back):
    """The key is the office as well as what it serves: another office's staff are never shown."""
    other = Office.objects.create(name="Інший бек-офіс", function=Function.BACK, kind=back.office.kind,
                                  territory=back.office.territory, is_active=False)   # serves nothing, like a new one
    stranger = create_staff_user(username="stranger", password="x", role=Role.BACK_SPECIALIST, last_name="Чужий",
                                 first_name="Петро", office=other, check_password=False)
    assert "Чужий П." in staff_names(stranger)
    mine = staff_names(back)
    assert "Чужий П." not in mine and staff_names(stranger) == ["Чужий П."]
    assert staff_names(back) == mine
