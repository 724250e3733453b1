import pytest

from hromada.applications.services.intake import create_application

from .factories import make_person


@pytest.fixture
def person(front):
    return make_person(front.office.hromada)


@pytest.fixture
def person2(front2):
    return make_person(front2.office.hromada, last_name="Сидоренко", first_name="Олег", sex="M")


@pytest.fixture
def draft(front, person):
    return create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk)
