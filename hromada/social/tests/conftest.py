"""Social-services fixtures: a fresh resident of Баранівська, a social worker of Тетерівська (another hromada),
a second provider's worker, and a factory that takes a case through the workflow via the services."""
from datetime import date

import pytest
from django.utils import timezone

from hromada.accounts.models import Role
from hromada.accounts.services import create_staff_user
from hromada.demo.services import TETERIVSKA
from hromada.social import rules, services
from hromada.social.models import Provider
from hromada.territory.models import Unit


@pytest.fixture
def social2(demo):
    """Social-work specialist of Тетерівська: must see nothing of Баранівська."""
    return create_staff_user(username="social2_test", password="demo12345", role=Role.SOCIAL_WORKER,
                             first_name="Тарас", last_name="Гуменюк", territory=Unit.objects.get(code=TETERIVSKA),
                             check_password=False)


@pytest.fixture
def resident(demo, front):
    from hromada.persons.services import register_person

    return register_person(actor=front, data=dict(
        last_name="Сидоренко", first_name="Оксана", patronymic="Петрівна", birth_date=date(1940, 2, 3), sex="F",
        no_rnokpp_reason="Відмова від РНОКПП через релігійні переконання (відмітка в паспорті)",
        id_document={"type": "passport", "number": "ЖМ111222"}))


@pytest.fixture
def centre(demo):
    return Provider.objects.get(kind="communal", hromada__code="UA18080010000090720")


@pytest.fixture
def ngo(demo):
    return Provider.objects.get(kind="ngo", hromada__code="UA18080010000090720")


def sections(score=2):
    return {code: services.SectionInput(score, "") for code in rules.sections()}


def assess(actor, case, recommended=("home_care",), **kw):
    return services.complete_assessment(actor=actor, case_id=case.pk, data=services.AssessmentInput(
        sections=kw.pop("sections", sections()), conclusion="Потребує догляду", recommended=list(recommended), **kw))


@pytest.fixture
def in_service(resident, social, front, centre):
    """A case through application, assessment, decision (home care by the centre) and the plan."""
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal")
    assess(social, case)
    services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Потребу підтверджено",
                    services=[services.ServiceChoice("home_care", centre.pk)])
    services.approve_plan(actor=social, case_id=case.pk, goals="Самостійне проживання", consent_on=timezone.localdate(),
                          items=[services.PlanItemInput("home_care", "3 рази на тиждень")])
    case.refresh_from_db()
    return case
