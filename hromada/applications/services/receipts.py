"""The "Повідомлення про прийняття заяви" PDF given to the resident, rendered once per case version."""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.audit import services as audit
from hromada.catalog.models import Timing
from hromada.core.errors import Conflict
from hromada.core.pdf import build_pdf, fmt_date, grid_table, kv_table, official_document, para, qr_code
from hromada.offices.models import Office
from hromada.persons.models import Person

from .. import checkcode, selectors
from ..models import Application, Receipt, Status

TITLE = "Повідомлення про прийняття заяви"


def _id_document(person: Person) -> str:
    if not person.id_document_number:
        return "—"
    return f"{person.get_id_document_type_display()} № {person.id_document_number}"


def _rnokpp(person: Person) -> str:
    if person.rnokpp:
        return person.masked_rnokpp
    if person.no_rnokpp_reason and person.id_document_type == "birth_certificate":
        return "не присвоєно (дитина; свідоцтво про народження)"
    return "відмова від РНОКПП (ідентифікація за паспортом)" if person.no_rnokpp_reason else "—"


def status_url(app: Application) -> str:
    """The public status page of the case, with its number and check code (what the receipt's QR code opens)."""
    query = urlencode({"number": app.number, "code": app.check_code})
    return f"{settings.HROMADA_PUBLIC_URL.rstrip('/')}{reverse('notifications:status')}?{query}"


def _how_to_learn(app: Application, office: Office) -> Table:
    """The heading, the check code and the QR code side by side: the receipt keeps to one page."""
    text = [
        para("Як дізнатися результат", "h2"),
        para(f"Код перевірки: {checkcode.display(app.check_code)}", "h2"),
        para(f"Стан заяви можна дізнатися без входу до системи: відскануйте QR-код телефоном або відкрийте "
             f"{settings.HROMADA_PUBLIC_URL.rstrip('/')}{reverse('notifications:status')} і введіть номер заяви "
             f"{app.number} та код перевірки. Нікому не повідомляйте код, крім близьких, яким довіряєте.", "small"),
        para(f"Можна також зателефонувати до фронт-офісу {office.phone or '—'} або прийти особисто, назвавши "
             f"номер заяви. Результат видається у фронт-офісі, який прийняв заяву.", "small"),
    ]
    table = Table([[text, qr_code(status_url(app), size=30 * mm)]], colWidths=(136 * mm, 34 * mm))
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    return table


@official_document
def build_receipt_pdf(app: Application) -> bytes:
    """The receipt's bytes for a case that was sent to the back office."""
    items = selectors.checklist(app)
    applicant = app.applicant_person
    office = app.front_office
    specialist = app.registered_by
    story = [
        para(TITLE, "title"),
        # Number and registration date once, in the heading (the receipt must fit one page with its QR code).
        para(f"№ {app.number}, дата реєстрації (дата звернення) {fmt_date(app.application_date)}", "subtitle"),
        kv_table([
            ("Послуга", app.service.name_uk),
            ("Правова підстава", app.service.legal_basis),
            ("Канал подання", str(app.get_channel_display())),
        ]),
        para("Заявник", "h2"),
        kv_table([
            ("Прізвище, ім’я, по батькові", applicant.full_name if applicant else "—"),
            ("Адреса", (applicant.address if applicant else "") or "—"),
            ("Документ, що посвідчує особу", _id_document(applicant) if applicant else "—"),
            ("РНОКПП", _rnokpp(applicant) if applicant else "—"),
        ]),
        para("Прийняті документи", "h2"),
    ]
    accepted = [[i.title, str(len(i.documents)), str(i.pages)] for i in items if i.provided]
    if accepted:
        story.append(grid_table(["Документ", "Файлів", "Сторінок"], accepted, widths=(124 * mm, 23 * mm, 23 * mm)))
    else:
        story.append(para("Документи не додано."))
    follow = [i for i in items if not i.provided and i.timing == Timing.MAY_FOLLOW]
    story.append(para("Документи, які потрібно донести", "h2"))
    if follow:
        deadline = app.documents_deadline or (follow[0].deadline if follow else None)
        story.append(grid_table(["Документ", "Донести до"], [[i.title, fmt_date(deadline)] for i in follow],
                                widths=(135 * mm, 35 * mm)))
        story.append(para(
            f"Якщо документи буде подано до {fmt_date(deadline)} включно, датою звернення вважається дата "
            f"реєстрації заяви ({fmt_date(app.application_date)}).", "small"))
    else:
        story.append(para("Усі потрібні документи подано."))
    conditional = [i for i in items if not i.provided and i.timing == Timing.CONDITIONAL]
    if conditional:
        story.append(para("Додаткові документи, якщо застосовується умова:", "small"))
        for i in conditional:
            story.append(para(f"• {i.title} — {i.condition}", "small"))
    story += [
        para("Прийняв", "h2"),
        kv_table([
            ("Фронт-офіс", office.name),
            ("Адреса фронт-офісу", office.address or "—"),
            ("Фахівець", specialist.get_full_name() or specialist.username),
            ("Заяву передано до", app.back_office.name if app.back_office_id else "—"),
            ("Очікувана дата рішення", fmt_date(app.due_date)),
        ]),
        KeepTogether([_how_to_learn(app, office)]),
    ]
    return build_pdf(story, title=f"{TITLE} № {app.number}",
                     footer_note=f"Сформовано {timezone.localtime():%d.%m.%Y %H:%M}")


KEY_DIGITS = 32


def content_key(app: Application) -> str:
    """What the receipt states, hashed: the back office taking the case must not produce a new receipt,
    a late document or a moved due date must. The first 16 bytes of the SHA-256 (32 hex digits): it is compared
    with one receipt's key, never trusted against a forger, so 128 bits are plenty (#24, bytes)."""
    docs = sorted((d.requirement_code, d.sha256, d.pages) for d in app.documents.all())
    # The applicant as the participant she was (role "applicant"): the key of a receipt stored before stays valid.
    people = sorted([(app.applicant_person_id, "applicant"),
                     *((p.person_id, p.role) for p in app.participants.all() if p.role != "applicant")])
    facts = [app.number, app.check_code, str(app.application_date), str(app.due_date), str(app.documents_deadline),
             app.back_office_id, app.front_office_id, app.registered_by_id, app.service_id, docs, people]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()[:KEY_DIGITS]


def store_receipt(*, application_id: int) -> Receipt:
    """Render and store the receipt of the case as it is now (the stored one is reused if nothing changed)."""
    with transaction.atomic():
        # The row lock orders two renders of the same case (a task delivered again while the first still runs, the
        # sweep of missing receipts racing the task): the second finds the first one's receipt and reuses it.
        app = (Application.objects.select_for_update(of=("self",))
               .select_related("service", "front_office", "back_office", "registered_by", "applicant_person")
               .get(pk=application_id))
        if app.status == Status.DRAFT or app.first_submitted_at is None:
            raise Conflict(_("Повідомлення про прийняття формується після надсилання заяви."), code="not_submitted")
        key = content_key(app)
        latest = selectors.latest_receipt(app)
        # A key stored before 16 bytes were enough holds all 32: its beginning is the same key.
        if latest is not None and latest.content_key[:KEY_DIGITS] == key:
            return latest
        pdf = build_receipt_pdf(app)
        sha = hashlib.sha256(pdf).hexdigest()
        receipt = Receipt(application=app, sha256=sha, application_version=app.version, content_key=key)
        receipt.file.save(f"{sha}.pdf", ContentFile(pdf), save=False)
        receipt.save()
    return receipt


def receipt_for(*, actor: User, application_id: int, request: HttpRequest | None = None) -> Receipt:
    """The stored receipt for a visible case (rendered now if the background job has not run); audited."""
    app = access.get_visible(actor, Application, pk=application_id)
    receipt = store_receipt(application_id=app.pk)
    audit.record(actor=actor, action="application.receipt_download", obj=app, request=request,
                 details={"receipt": receipt.pk})
    return receipt
