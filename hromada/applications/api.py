"""API of the front office's intake: /api/v1/applications (the back office adds its actions in backoffice/api.py)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse
from ninja import File, Form, Header, Router, Schema, Status
from ninja.files import UploadedFile

from hromada.accounts import access
from hromada.audit import services as audit
from hromada.core.schemas import Page

from . import selectors, workflow
from .models import Application
from .services import documents as document_services
from .services import front as front_services
from .services import intake
from .services.receipts import receipt_for

ROUTER_PREFIX = "/applications"
router = Router(tags=["applications"])


class ParticipantIn(Schema):
    person_id: int
    role: str


class ApplicationIn(Schema):
    service_code: str
    applicant_id: int
    member_ids: list[int] = []
    channel: str = "in_person"
    paper_received_on: date | None = None
    participants: list[ParticipantIn] = []
    contact_phone: str | None = None
    contact_email: str | None = None
    note: str | None = None


class DraftIn(Schema):
    data: dict | None = None        # omitted: the stored draft is kept (e.g. only contacts are corrected)
    version: int | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    note: str | None = None


class CommentIn(Schema):
    comment: str = ""
    version: int | None = None


class IssueIn(Schema):
    method: str = ""                # in_person | post | email | sms | diia (else 422 invalid_issue_method)
    comment: str = ""
    version: int | None = None


class WithdrawIn(Schema):
    reason: str = ""
    version: int | None = None


class ChecklistItemOut(Schema):
    document_code: str
    title: str
    required: bool
    provided: bool
    timing: str
    condition: str
    hint: str
    deadline: date | None
    pages: int
    documents: list[int]


class MissingOut(Schema):
    document_code: str
    title: str
    timing: str
    deadline: date | None


class DocumentOut(Schema):
    id: int
    document_code: str
    original_name: str
    content_type: str
    size: int
    pages: int
    sha256: str
    uploaded_at: datetime
    late: bool


class ParticipantOut(Schema):
    person_id: int
    role: str
    full_name: str


class ApplicationListItem(Schema):
    id: int
    number: str
    status: str
    status_label: str
    service_code: str
    service_name: str
    channel: str
    hromada_code: str
    applicant_name: str | None
    application_date: date
    due_date: date | None
    handover_late: bool
    version: int


class ApplicationPage(Schema):
    items: list[ApplicationListItem]
    count: int
    page: int
    pages: int


class DecidedSocialServiceOut(Schema):
    code: str
    name: str
    provider: str
    waiting: bool                   # on the provider's waiting list, not yet provided


class DecisionSummaryOut(Schema):
    outcome: str                    # granted | refused
    amount: Decimal | None
    period_from: date | None
    period_to: date | None
    reason: str | None
    legal_basis: str | None
    decided_at: datetime
    decided_by: str
    # An application for social services is decided by the social case opened from it:
    social_case_number: str | None = None
    services: list[DecidedSocialServiceOut] | None = None


class ApplicationOut(ApplicationListItem):
    front_office: str
    front_office_id: int
    back_office: str | None
    back_office_id: int | None
    registered_at: datetime
    paper_received_on: date | None
    first_submitted_at: datetime | None
    submitted_at: datetime | None
    documents_deadline: date | None
    returned_days: int
    checklist: list[ChecklistItemOut]
    missing_documents: list[MissingOut]
    documents: list[DocumentOut]
    participants: list[ParticipantOut]
    draft_data: dict
    allowed_actions: list[str]
    contact_phone: str
    contact_email: str
    note: str
    decision: DecisionSummaryOut | None = None
    issue_method: str | None = None
    issued_at: datetime | None = None
    issued_by: str | None = None
    check_code: str | None = None


class SubmitOut(Schema):
    id: int
    number: str
    status: str
    back_office: str | None
    back_office_id: int | None = None
    due_date: date | None
    documents_deadline: date | None = None
    handover_late: bool = False


class EventOut(Schema):
    # The event's place in the case's history (1, 2, …): the history only grows, so it never changes.
    id: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str | None
    at: datetime
    comment: str
    data: dict


def _list_item(app: Application) -> dict:
    applicant = app.applicant_person
    return {"id": app.pk, "number": app.number, "status": app.status, "status_label": str(app.get_status_display()),
            "service_code": app.service.code, "service_name": app.service.name, "channel": app.channel,
            "hromada_code": app.hromada.code, "applicant_name": applicant.full_name if applicant else None,
            "application_date": app.application_date, "due_date": app.due_date, "handover_late": app.handover_late,
            "version": app.version}


def _decision(app: Application, user) -> dict | None:
    """The back office's decision, or — for an application for social services — the social case's (through the
    catalog's slot: hromada.social is a sibling floor), in the same shape."""
    shown = selectors.shown_decision(user, app)
    if shown is None or not selectors.decided_by_social_case(app):
        return shown
    return {"outcome": shown["outcome"], "amount": None, "period_from": None, "period_to": None,
            "reason": shown["reason"], "legal_basis": shown["legal_basis"] or None,
            "decided_at": app.decided_at, "decided_by": shown["decided_by"],
            "social_case_number": shown["case_number"],
            "services": [{k: s[k] for k in ("code", "name", "provider", "waiting")} for s in shown["services"]]}


def _detail(app: Application, user) -> dict:
    items = selectors.checklist(app)
    return {
        **_list_item(app),
        "front_office": app.front_office.name, "front_office_id": app.front_office_id,
        "back_office": app.back_office.name if app.back_office_id else None, "back_office_id": app.back_office_id,
        "registered_at": app.registered_at, "paper_received_on": app.paper_received_on,
        "first_submitted_at": app.first_submitted_at, "submitted_at": app.submitted_at,
        "documents_deadline": app.documents_deadline, "returned_days": app.returned_days,
        "checklist": [i.as_dict() for i in items],
        "missing_documents": [{"document_code": i.document_code, "title": str(i.title), "timing": i.timing,
                               "deadline": i.deadline} for i in items if not i.provided and not i.conditional],
        "documents": [_document(d) for d in app.documents.all()],
        "participants": [{"person_id": p.person_id, "role": p.role, "full_name": p.person.full_name}
                         for p in app.people],
        "draft_data": app.draft_data, "allowed_actions": workflow.allowed_actions(app, user),
        "contact_phone": app.contact_phone, "contact_email": app.contact_email, "note": app.note,
        "decision": _decision(app, user),
        "issue_method": app.issue_method or None, "issued_at": app.issued_at,
        "issued_by": app.issued_by.short_name if app.issued_by_id else None,
        # The public status page's code, printed on the receipt once the case is submitted.
        "check_code": app.check_code if app.first_submitted_at else None,
    }


def _document(d) -> dict:
    return {"id": d.pk, "document_code": d.requirement_code, "original_name": d.original_name,
            "content_type": d.content_type, "size": d.size, "pages": d.pages, "sha256": d.sha256,
            "uploaded_at": d.uploaded_at, "late": d.late}


def _read(request, application_id) -> dict:
    app = selectors.application_for(request.user, application_id)
    audit.audited_read(actor=request.user, action="application.view", objects=[app], request=request)
    return _detail(app, request.user)


@router.post("", response={201: ApplicationOut}, summary="Створити заяву (чернетку)")
@access.api_permission("application.intake")
def create_application(request, payload: ApplicationIn):
    """A draft case of the caller's front office with a country-unique number; the applicant and members are
    Person ids visible to the caller (404 otherwise)."""
    app = intake.create_application(
        actor=request.user, service_code=payload.service_code, applicant_id=payload.applicant_id,
        member_ids=payload.member_ids, channel=payload.channel, paper_received_on=payload.paper_received_on,
        participants=[(p.person_id, p.role) for p in payload.participants], contact_phone=payload.contact_phone,
        contact_email=payload.contact_email, note=payload.note)
    return Status(201, _detail(selectors.new_case_card(app), request.user))


@router.get("", response=ApplicationPage, summary="Заяви (з фільтрами, посторінково)")
@access.api_permission("application.view")
def list_applications(request, status: str | None = None, service_code: str | None = None,
                      hromada: str | None = None, q: str | None = None, page: Page = 1):
    """Applications in the caller's scope, newest first; ``status`` may list several, comma-separated;
    ``hromada`` is the КАТОТТГ code; ``q`` matches a part of the number, the applicant's РНОКПП (10 digits) or
    the start of the applicant's surname (case and apostrophes ' ’ ʼ do not matter)."""
    qs = selectors.applications_for(request.user, status=status, service_code=service_code, hromada_code=hromada,
                                    q=q)
    result = selectors.paginate(qs, page)
    audit.audited_read(actor=request.user, action="application.list", objects=result.items, request=request,
                       object_type="applications.application", details={"page": result.page, "list": "api"})
    return {"items": [_list_item(a) for a in result.items], "count": result.count, "page": result.page,
            "pages": result.pages}


@router.get("/{int:application_id}", response=ApplicationOut, summary="Заява з переліком документів")
@access.api_permission("application.view")
def get_application(request, application_id: int):
    return _read(request, application_id)


@router.put("/{int:application_id}/draft", response=ApplicationOut, summary="Автозбереження чернетки")
@access.api_permission("application.intake")
def save_draft(request, application_id: int, payload: DraftIn):
    """The raw form values (``data``) and the contacts (``contact_phone``, ``contact_email``, ``note``), for a
    draft or a case returned for correction; errors: invalid_phone, invalid_email, too_long,
    application_read_only."""
    intake.save_draft(actor=request.user, application_id=application_id, data=payload.data,
                      expected_version=payload.version, contact_phone=payload.contact_phone,
                      contact_email=payload.contact_email, note=payload.note)
    return _detail(selectors.application_for(request.user, application_id), request.user)


@router.post("/{int:application_id}/documents", response={201: DocumentOut}, summary="Додати скан документа")
@access.api_permission("application.intake")
def upload_document(request, application_id: int, document_code: Form[str], file: File[UploadedFile]):
    """Multipart ``document_code`` + ``file``. Type is detected from the content (PDF, JPEG, PNG, TIFF);
    errors: unsupported_file_type, file_too_large, duplicate_file, encrypted_pdf, malformed_pdf, too_many_pages,
    image_too_large, malformed_image, unknown_document_code, application_read_only."""
    doc = document_services.attach_document(actor=request.user, application_id=application_id,
                                            document_code=document_code, uploaded_file=file, request=request)
    return Status(201, _document(doc))


@router.get("/{int:application_id}/documents/{int:document_id}", summary="Завантажити скан (аудитується)",
            response={200: None})
@access.api_permission("application.view")
def download_document(request, application_id: int, document_id: int):
    doc = document_services.document_for_download(actor=request.user, application_id=application_id,
                                                   document_id=document_id, request=request)
    return FileResponse(doc.file.open("rb"), content_type=doc.content_type, as_attachment=True,
                        filename=doc.original_name)


@router.delete("/{int:application_id}/documents/{int:document_id}", response={204: None},
               summary="Вилучити помилково доданий скан (чернетка або повернута заява)")
@access.api_permission("application.intake")
def delete_document(request, application_id: int, document_id: int):
    document_services.remove_document(actor=request.user, application_id=application_id, document_id=document_id,
                                      request=request)
    return Status(204, None)


@router.post("/{int:application_id}/submit", response=SubmitOut, summary="Надіслати до бек-офісу (ідемпотентно)")
@access.api_permission("application.intake")
def submit_application(request, application_id: int,
                       idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Routes the case to the back office serving the hromada and sets its due date. A repeated request with
    the same ``Idempotency-Key`` gets the first answer again and submits nothing. Missing required documents →
    422 ``incomplete_application`` with ``details.missing``."""
    result = intake.submit_application(actor=request.user, application_id=application_id,
                                       idempotency_key=idempotency_key, request=request)
    return Status(result.status_code, result.response)


@router.post("/{int:application_id}/resubmit", response=ApplicationOut, summary="Надіслати виправлену заяву")
@access.api_permission("application.intake")
def resubmit_application(request, application_id: int, payload: CommentIn | None = None):
    payload = payload or CommentIn()
    intake.resubmit_application(actor=request.user, application_id=application_id, comment=payload.comment,
                                expected_version=payload.version, request=request)
    return _detail(selectors.application_for(request.user, application_id), request.user)


@router.post("/{int:application_id}/issue", response=ApplicationOut, summary="Результат видано заявнику")
@access.api_permission("application.issue")
def issue_result(request, application_id: int, payload: IssueIn | None = None):
    """``method``: in_person, post, email, sms or diia (invalid_issue_method otherwise); the case is then closed
    and the history's «issue» event keeps the method in its ``data``."""
    payload = payload or IssueIn()
    front_services.issue_result(actor=request.user, application_id=application_id, method=payload.method,
                                comment=payload.comment, expected_version=payload.version, request=request)
    return _detail(selectors.application_for(request.user, application_id), request.user)


@router.post("/{int:application_id}/withdraw", response=ApplicationOut, summary="Відкликати заяву")
@access.api_permission("application.withdraw")
def withdraw_application(request, application_id: int, payload: WithdrawIn | None = None):
    payload = payload or WithdrawIn()
    front_services.withdraw_application(actor=request.user, application_id=application_id, reason=payload.reason,
                                        expected_version=payload.version, request=request)
    return _detail(selectors.application_for(request.user, application_id), request.user)


@router.get("/{int:application_id}/history", response=list[EventOut], summary="Історія заяви")
@access.api_permission("application.view")
def application_history(request, application_id: int):
    """The case's events, oldest first. ``id`` is the event's place in the case's history (1, 2, …): the history
    only grows, so an event keeps its id, which names it within its case (not across cases). ``actor`` is the
    user's name, None for a step of the system."""
    events = selectors.history(request.user, application_id)
    audit.audited_read(actor=request.user, action="application.history_view",
                       object_type="applications.application", object_id=application_id,
                       hromada_id=events[0].application.hromada_id if events else None, request=request, limit=False)
    return [{"id": e.id, "action": e.action, "label": e.label, "from_status": e.from_status, "to_status": e.to_status,
             "actor": e.actor_name, "at": e.at,
             "comment": e.comment, "data": e.data} for e in events]


@router.get("/{int:application_id}/receipt.pdf", summary="Повідомлення про прийняття заяви (PDF)",
            response={200: None})
@access.api_permission("application.view")
def receipt_pdf(request, application_id: int):
    receipt = receipt_for(actor=request.user, application_id=application_id, request=request)
    app_number = receipt.application.number
    return FileResponse(receipt.file.open("rb"), content_type="application/pdf",
                        filename=f"povidomlennia-{app_number}.pdf")
