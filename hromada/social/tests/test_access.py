"""Scope: a provider's worker sees only its own clients; another hromada's staff get 404; district, oblast and
ministry see numbers only."""
import pytest

from hromada.accounts import access
from hromada.accounts.models import Role
from hromada.accounts.services import create_staff_user
from hromada.core.errors import NotFound
from hromada.social import selectors, services
from hromada.social.models import Provider, SocialCase

from .conftest import assess

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_worker(demo, social):
    """A worker of the private provider of the same hromada."""
    private = Provider.objects.get(kind="private", hromada=social.territory)
    user = create_staff_user(username="provider2_test", password="demo12345", role=Role.PROVIDER_WORKER,
                             first_name="Ніна", last_name="Савчук", territory=social.territory, check_password=False)
    services.link_provider_worker(actor=social, user=user, provider_id=private.pk)
    return user


def test_provider_sees_only_own_clients(in_service, provider, other_worker, resident, front, social):
    assert in_service in selectors.cases_for(provider)
    assert in_service not in selectors.cases_for(other_worker)
    with pytest.raises(NotFound):
        selectors.case_for(other_worker, in_service.pk)
    with pytest.raises(NotFound):
        services.record_delivery(actor=other_worker, case_id=in_service.pk, service_code="home_care")
    # A case still in assessment is nobody's client yet.
    new = SocialCase.objects.exclude(services__isnull=False).filter(hromada=social.territory).first()
    assert new is not None and new not in selectors.cases_for(provider)


def test_provider_cannot_change_the_case(in_service, provider):
    from hromada.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.close_case(actor=provider, case_id=in_service.pk, outcome="need_ended")


def test_another_hromada_gets_404(api, in_service, social2, front2):
    with pytest.raises(NotFound):
        selectors.case_for(social2, in_service.pk)
    assert api(social2).get(f"social-cases/{in_service.pk}").status_code == 404
    r = api(social2).post(f"social-cases/{in_service.pk}/close", {"outcome": "need_ended"})
    assert r.status_code == 404
    r = api(social2).post(f"social-cases/{in_service.pk}/deliveries", {"service_code": "home_care"})
    assert r.status_code == 404
    assert api(front2).get(f"/social/{in_service.pk}/receipt/").status_code in (302, 404)


def test_figures_only_roles(in_service, oblast, ministry, hadmin):
    for who in (oblast, ministry, hadmin):
        assert not access.may(who, "socialcase.view")
        assert not access.visible(who, SocialCase).exists()


def test_another_hromadas_person_cannot_be_applied_for(front2, resident):
    from hromada.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.register_social_case(actor=front2, person_id=resident.pk, service_codes=["home_care"],
                                      urgency="normal")
    assert exc.value.code == "person_not_found"


def test_indicators_are_numbers(in_service, provider, social):
    from django.utils import timezone

    services.record_delivery(actor=provider, case_id=in_service.pk, service_code="home_care")
    today = timezone.localdate()
    figures = selectors.indicator_figures({"id": in_service.hromada_id}, today.replace(day=1), today)[None]
    by_oblast = selectors.indicator_figures({}, today.replace(day=1), today, group="oblast_id")
    assert by_oblast[in_service.hromada.oblast_id]["applications"] >= 1
    assert figures["applications"] >= 1
    assert figures["people_served"] >= 1 and figures["served_by_service"]["home_care"] >= 1
    assert isinstance(figures["waiting"], int)
    _ = assess
