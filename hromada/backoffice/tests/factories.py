"""Test factories: cases already sent to the back office (intake is another app's job; these rows mirror
what its submit service leaves behind: number, back office, dates, due date, status submitted)."""
from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from hromada.applications.models import Application, Status
from hromada.catalog.models import ServiceType
from hromada.offices.selectors import deciding_office_for
from hromada.persons.models import Person, Sex
from hromada.test_values import UniqueValues
from hromada.testing import user


def person(front, **kw) -> Person:
    data = dict(last_name="Петренко", first_name="Марія", patronymic="Іванівна", birth_date=date(1990, 5, 1),
                sex=Sex.FEMALE, rnokpp=None, no_rnokpp_reason="релігійні переконання",
                id_document_type="id_card", id_document_number=UniqueValues.for_django().id_card_number(),
                phone="+380671234567", email="maria@example.com", registered_hromada=front.office.hromada,
                registered_by=front)
    data.update(kw)
    p = Person(**data)
    p.name_key = f"{p.last_name} {p.first_name} {p.patronymic}".lower()
    p.save()
    return p


def submitted_case(front_name: str = "front", *, service: str = "birth_assistance", due_date: date | None = None,
                   application_date: date | None = None, status: str = Status.SUBMITTED, **kw) -> Application:
    front = user(front_name)
    hromada = front.office.hromada
    today = timezone.localdate()
    applicant = person(front)
    service_type = ServiceType.objects.get(code=service)
    app = Application.objects.create(
        number=UniqueValues.for_django().application_number(f"T-{hromada.pk}"), service=service_type, status=status,
        front_office=front.office, hromada=hromada,
        back_office=deciding_office_for(hromada, service_type.deciding_authority),
        registered_by=front, application_date=application_date or today,
        submitted_at=timezone.now(), first_submitted_at=timezone.now(),
        due_date=due_date or today + timedelta(days=10), applicant_person=applicant, **kw)
    return app
