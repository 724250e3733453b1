"""The providers page of the hromada's social-protection staff: take a provider out of use and back (not while it
has clients), link and unlink a provider's worker (only its own hromada's), capacity and waiting list shown; every
change audited with a label."""
import pytest
from django.test import Client
from django.urls import reverse

from hromada.accounts.models import Role
from hromada.accounts.services import create_staff_user
from hromada.audit.labels import ACTIONS as ACTION_LABELS
from hromada.audit.models import AuditEntry
from hromada.core.errors import NotFound, ValidationFailed
from hromada.demo.services import TETERIVSKA
from hromada.social import selectors, services
from hromada.social.models import CaseService, Provider, ProviderStaff
from hromada.territory.models import Unit

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def worker(demo, social):
    return create_staff_user(username="provider3_test", password="demo12345", role=Role.PROVIDER_WORKER,
                             first_name="Віра", last_name="Ткачук", territory=social.territory, check_password=False)


@pytest.fixture
def foreign_worker(demo):
    return create_staff_user(username="provider4_test", password="demo12345", role=Role.PROVIDER_WORKER,
                             first_name="Ліна", last_name="Гнатюк", territory=Unit.objects.get(code=TETERIVSKA),
                             check_password=False)


def test_every_provider_action_has_an_audit_label():
    for action in ("socialprovider.deactivate", "socialprovider.reactivate", "socialprovider.link_worker",
                   "socialprovider.unlink_worker"):
        assert action in ACTION_LABELS


def test_deactivate_and_reactivate_a_provider(social, ngo, centre, in_service):
    # The centre serves a client: it is not taken out of use.
    with pytest.raises(ValidationFailed) as exc:
        services.set_provider_active(actor=social, provider_id=centre.pk, active=False)
    assert exc.value.code == "provider_has_clients"
    empty = Provider.objects.filter(hromada=social.territory).exclude(
        pk__in=CaseService.objects.exclude(state=CaseService.ENDED).values("provider_id")).first()
    services.set_provider_active(actor=social, provider_id=empty.pk, active=False)
    empty.refresh_from_db()
    assert not empty.is_active
    assert AuditEntry.objects.filter(action="socialprovider.deactivate").latest("id").object_id == str(empty.pk)
    # Out of use: no decision may choose it.
    assert empty not in selectors.providers_offering(social, empty.offers.first().service_code)
    services.set_provider_active(actor=social, provider_id=empty.pk, active=True)
    empty.refresh_from_db()
    assert empty.is_active
    assert AuditEntry.objects.filter(action="socialprovider.reactivate").exists()


def test_another_hromadas_staff_cannot_touch_the_provider(social2, centre, provider):
    with pytest.raises(NotFound):
        services.set_provider_active(actor=social2, provider_id=centre.pk, active=False)
    with pytest.raises(ValidationFailed):
        services.unlink_provider_worker(actor=social2, user_id=provider.pk)
    assert ProviderStaff.objects.filter(user=provider).exists()


def test_link_and_unlink_a_worker(social, ngo, worker, foreign_worker):
    services.link_provider_worker(actor=social, user=worker, provider_id=ngo.pk)
    assert ProviderStaff.objects.get(user=worker).provider == ngo
    # Another hromada's worker account is never attached here.
    with pytest.raises(ValidationFailed) as exc:
        services.link_provider_worker(actor=social, user=foreign_worker, provider_id=ngo.pk)
    assert exc.value.code == "not_provider_worker"
    services.unlink_provider_worker(actor=social, user_id=worker.pk)
    assert not ProviderStaff.objects.filter(user=worker).exists()
    entry = AuditEntry.objects.filter(action="socialprovider.unlink_worker").latest("id")
    assert entry.details == {"user_id": worker.pk}
    with pytest.raises(ValidationFailed) as exc:
        services.unlink_provider_worker(actor=social, user_id=worker.pk)
    assert exc.value.code == "worker_not_linked"


def test_the_page_manages_providers_and_shows_capacity_and_waiting(social, ngo, worker, foreign_worker, in_service):
    c = login(social)
    page = c.get(reverse("social:providers")).content.decode()
    assert f'id="deactivate-{ngo.pk}"' in page and worker.username in page
    assert foreign_worker.username not in page                      # another hromada's account is not offered
    assert "Черга очікування" in page and "Зайнято" in page
    r = c.post(reverse("social:providers"), {"op": "link", "provider_id": ngo.pk, "user_id": worker.pk})
    assert r.status_code == 302
    assert ProviderStaff.objects.get(user=worker).provider == ngo
    page = c.get(reverse("social:providers")).content.decode()
    assert f'id="unlink-{worker.pk}"' in page
    r = c.post(reverse("social:providers"), {"op": "link", "provider_id": ngo.pk, "user_id": foreign_worker.pk})
    assert r.status_code == 404
    c.post(reverse("social:providers"), {"op": "unlink", "user_id": worker.pk})
    assert not ProviderStaff.objects.filter(user=worker).exists()
    empty = Provider.objects.filter(hromada=social.territory).exclude(
        pk__in=CaseService.objects.exclude(state=CaseService.ENDED).values("provider_id")).first()
    c.post(reverse("social:providers"), {"op": "deactivate", "provider_id": empty.pk})
    empty.refresh_from_db()
    assert not empty.is_active
    page = c.get(reverse("social:providers")).content.decode()
    assert f'id="reactivate-{empty.pk}"' in page
    c.post(reverse("social:providers"), {"op": "reactivate", "provider_id": empty.pk})
    empty.refresh_from_db()
    assert empty.is_active


def test_the_waiting_list_is_shown_per_provider(social, centre, in_service):
    offer = centre.offers.get(service_code="home_care")
    CaseService.objects.filter(pk=in_service.services.get().pk).update(state=CaseService.WAITING)
    page = login(social).get(reverse("social:providers")).content.decode()
    assert f'id="waiting-{centre.pk}"' in page
    assert offer.capacity >= 0


def test_other_roles_may_not_manage_providers(front, provider, oblast):
    for user in (front, provider, oblast):
        assert login(user).post(reverse("social:providers"), {"op": "deactivate", "provider_id": 1}).status_code \
            == 403
