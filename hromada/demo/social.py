"""The demo's application for social services (issue #22): taken by the front office of Баранівська the way it
takes any application — a resident registered, the catalogue's checklist with scans, the services and urgency
marked on the form, submitted — so that the hromada's social-protection unit opens the social case from it and the
social-work specialist (``social_demo``) finds it in her queue.

Only the services are used (persons → applications → the catalog slot that opens the social case), never model
writes. Idempotent and deterministic: nothing is done once the hromada has an application for social services."""
from __future__ import annotations

from datetime import date

from django.db import transaction

from hromada.accounts.models import User
from hromada.applications.demo import demo_scan
from hromada.applications.models import Application
from hromada.applications.services.documents import attach_document
from hromada.applications.services.intake import create_application, save_draft, submit_application
from hromada.catalog.models import Timing
from hromada.persons import services as person_services
from hromada.persons.models import Person
from hromada.persons.testing import make_rnokpp

SERVICE = "social_services"
BARANIVKA = "UA18080010010059187"
# The resident who applies: an elderly widower living alone (invented identifiers, valid-looking).
RESIDENT = {"last_name": "Олійник", "first_name": "Степан", "patronymic": "Петрович", "birth_date": date(1944, 4, 12),
            "sex": "M", "id_document": {"type": "passport", "number": "ЖМ112233"}, "phone": "+380671234507",
            "address": {"settlement_code": BARANIVKA, "street": "вул. Садова", "house": "9", "flat": ""}}
RNOKPP_SERIAL = 107
MARKED = {"social_services": ["day_care", "counselling"], "urgency": "normal"}
NOTE = "Живе сам після смерті дружини, просить денний догляд і консультації психолога."


def _resident(front: User) -> Person:
    doc = RESIDENT["id_document"]
    person = Person.objects.filter(id_document_type=doc["type"], id_document_number=doc["number"]).first()
    if person is not None:
        return person
    data = {**RESIDENT, "rnokpp": make_rnokpp(RESIDENT["birth_date"], RESIDENT["sex"], RNOKPP_SERIAL)}
    return person_services.register_person(actor=front, data=data, confirm_not_duplicate=True)


def seed_social_application() -> Application | None:
    """Submit the demo's application for social services unless the hromada already has one; returns it (None
    when the demo accounts are absent)."""
    front = User.objects.select_related("office", "office__hromada").filter(username="front_demo").first()
    if front is None or front.office is None or not User.objects.filter(username="social_demo").exists():
        return None
    existing = Application.objects.filter(hromada=front.office.hromada, service__code=SERVICE).order_by("id").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        person = _resident(front)
        app = create_application(actor=front, service_code=SERVICE, applicant_id=person.pk,
                                 contact_phone=RESIDENT["phone"], note=NOTE)
        required = app.service.documents.filter(timing=Timing.BEFORE_SUBMIT).order_by("ordering", "code")
        for number, req in enumerate(required, start=1):
            attach_document(actor=front, application_id=app.pk, document_code=req.code,
                            uploaded_file=demo_scan(req.title_uk, number, topic="соціальні послуги",
                                                      prefix="demo-social"))
        save_draft(actor=front, application_id=app.pk, data=MARKED)
        return submit_application(actor=front, application_id=app.pk).application
