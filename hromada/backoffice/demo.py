"""The demo's result waiting at the front office (the closing loop): a mother of a newborn applied for birth
assistance at Баранівська's front office with every document, the Pension Fund's back office (``back_demo``) took
the case and granted it by the calculator, and the decision came back — so ``front_demo`` finds one row in «Результати
до видачі» to print and hand over, and the back office's queue still holds the other demo applications.

Only the services are used (persons → applications → back office, the floors below this one), never model
writes; the amount is the calculator's from the catalogue's sourced figures. Runs after the applications' demo
(``demo.services`` seeds the apps in their order). Idempotent: nothing is done once the mother is registered."""
from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from hromada.accounts.models import Role, User
from hromada.applications.demo import demo_scan
from hromada.applications.models import Application
from hromada.applications.services.documents import attach_document
from hromada.applications.services.intake import create_application, submit_application
from hromada.backoffice import services as back_services
from hromada.persons import services as person_services
from hromada.persons.models import Person
from hromada.persons.testing import make_rnokpp

SERVICE = "birth_assistance"
BARANIVKA = "UA18080010010059187"
ADDRESS = {"settlement_code": BARANIVKA, "street": "вул. Лісова", "house": "14", "flat": ""}
# Invented identifiers, valid-looking.
MOTHER = {"last_name": "Гнатюк", "first_name": "Ірина", "patronymic": "Миколаївна", "birth_date": date(1996, 2, 3),
          "sex": "F", "id_document": {"type": "id_card", "number": "009988776"}, "phone": "+380671234508",
          "address": ADDRESS}
CHILD = {"last_name": "Гнатюк", "first_name": "Богдан", "patronymic": "Андрійович", "sex": "M",
         "id_document": {"type": "birth_certificate", "number": "I-ЖТ 778899"}, "address": ADDRESS}
SERIALS = {"mother": 108, "child": 109}
BORN_DAYS_AGO = 35


def _register(front: User, data: dict, serial: int) -> Person:
    data = {**data, "rnokpp": make_rnokpp(data["birth_date"], data["sex"], serial)}
    return person_services.register_person(actor=front, data=data, confirm_not_duplicate=True)


def seed() -> Application | None:
    """Take, decide and send back the demo's birth-assistance application unless its mother is registered already;
    returns it (None when the demo accounts are absent)."""
    front = User.objects.select_related("office").filter(username="front_demo").first()
    if front is None or front.office is None:
        return None
    if Person.objects.filter(id_document_type=MOTHER["id_document"]["type"],
                             id_document_number=MOTHER["id_document"]["number"]).exists():
        return None
    born = timezone.localdate() - timedelta(days=BORN_DAYS_AGO)
    with transaction.atomic():
        mother = _register(front, MOTHER, SERIALS["mother"])
        child = _register(front, {**CHILD, "birth_date": born}, SERIALS["child"])
        app = create_application(actor=front, service_code=SERVICE, applicant_id=mother.pk, member_ids=[child.pk],
                                 contact_phone=MOTHER["phone"])
        for number, req in enumerate(app.service.documents.order_by("ordering", "code"), start=1):
            attach_document(actor=front, application_id=app.pk, document_code=req.code,
                            uploaded_file=demo_scan(req.title_uk, number, topic="допомога при народженні",
                                                          prefix="demo-birth"))
        app = submit_application(actor=front, application_id=app.pk).application
        back = User.objects.filter(office_id=app.back_office_id, role=Role.BACK_SPECIALIST,
                                   is_active=True).order_by("id").first()
        if back is None:
            return app
        back_services.take_application(actor=back, application_id=app.pk)
        back_services.decide(actor=back, application_id=app.pk, outcome="granted",
                             calculator_inputs={"birth_date": born.isoformat()})
    app.refresh_from_db()
    return app
