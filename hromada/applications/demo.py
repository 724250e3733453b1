"""Demo applications of Баранівська hromada in different states (idempotent: skipped once present)."""
from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction

from hromada.accounts.models import User
from hromada.catalog.models import Timing
from hromada.core.pdf import build_pdf, para
from hromada.core.text import normalize_name
from hromada.persons.models import Person
from hromada.persons.testing import make_rnokpp

from .models import Application, ParticipantRole
from .services.documents import attach_document
from .services.intake import create_application, save_draft, submit_application

# (id-document type, number) of the persons app's demo residents; created here if that demo is absent.
MARIA = ("id_card", "001234567")
SOFIA = ("birth_certificate", "I-ЖТ 654321")
HANNA = ("passport", "ЖМ765432")


def demo_scan(title: str, number: int, *, topic: str = "", prefix: str = "demo") -> ContentFile:
    """A one-page PDF standing for a scanned document of the demo (the other floors' demos use it too)."""
    about = f"демо, {topic}" if topic else "демо"
    pdf = build_pdf([para("Демонстраційний скан", "title"), para(f"{title} ({about}, аркуш {number})")],
                    title=f"Демо-скан {number}")
    return ContentFile(pdf, name=f"{prefix}-{number}.pdf")


def _person(hromada, doc, serial: int, **fields) -> Person:
    person = Person.objects.filter(id_document_type=doc[0], id_document_number=doc[1]).first()
    if person is None:
        person = Person.objects.create(
            id_document_type=doc[0], id_document_number=doc[1], registered_hromada=hromada,
            rnokpp=make_rnokpp(fields["birth_date"], fields["sex"], serial),
            name_key=normalize_name(f"{fields['last_name']} {fields['first_name']} {fields['patronymic']}"), **fields)
    return person


def _attach(app, actor, timings, start: int) -> int:
    n = start
    for req in app.service.documents.filter(timing__in=timings).order_by("ordering"):
        n += 1
        attach_document(actor=actor, application_id=app.pk, document_code=req.code, uploaded_file=demo_scan(req.title_uk, n))
    return n


def seed() -> None:
    front = User.objects.select_related("office", "office__hromada").filter(username="front_demo").first()
    if front is None or front.office is None:
        return
    if Application.objects.filter(hromada=front.office.hromada, registered_by=front).exists():
        return
    hromada = front.office.hromada
    maria = _person(hromada, MARIA, 101, last_name="Коваленко", first_name="Марія", patronymic="Іванівна",
                    birth_date=date(1985, 3, 14), sex="F")
    sofia = _person(hromada, SOFIA, 103, last_name="Коваленко", first_name="Софія", patronymic="Петрівна",
                    birth_date=date(2016, 5, 20), sex="F")
    hanna = _person(hromada, HANNA, 104, last_name="Пʼятниця", first_name="Ганна", patronymic="Олексіївна",
                    birth_date=date(1950, 11, 8), sex="F")
    with transaction.atomic():
        # 1. Sent to the back office, with documents that may follow still missing.
        sent = create_application(actor=front, service_code="birth_assistance", applicant_id=maria.pk,
                                  member_ids=[sofia.pk])
        n = _attach(sent, front, [Timing.BEFORE_SUBMIT], 0)
        submit_application(actor=front, application_id=sent.pk)
        # 2. Complete and sent (low-income family support for an elderly resident).
        full = create_application(actor=front, service_code="low_income_family", applicant_id=hanna.pk,
                                  participants=[(maria.pk, ParticipantRole.REPRESENTATIVE)])
        n = _attach(full, front, [Timing.BEFORE_SUBMIT, Timing.MAY_FOLLOW], n)
        submit_application(actor=front, application_id=full.pk)
        # 3. A draft being filled in.
        draft = create_application(actor=front, service_code="idp_living_allowance", applicant_id=maria.pk)
        save_draft(actor=front, application_id=draft.pk, data={"note": "Заявниця донесе довідку ВПО завтра."})
