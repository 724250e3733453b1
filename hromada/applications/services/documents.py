"""Scanned documents of a case: attach (checked by ``files.inspect_upload``), remove, bring later."""
from __future__ import annotations

import os

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.audit import services as audit
from hromada.catalog.models import Timing
from hromada.core.errors import Conflict, NotFound, ValidationFailed

from .. import deadlines, workflow
from ..models import Application, Document, Status
from ..tasks import schedule_receipt
from .common import AT_BACK_OFFICE, bump, lock_application, require_editable
from .files import inspect_upload


def _requirement(app: Application, document_code: str):
    req = app.service.documents.filter(code=document_code or "").first()
    if req is None:
        raise ValidationFailed(
            _("Документа з кодом «%(code)s» немає в переліку послуги «%(service)s».") % {
                "code": document_code, "service": app.service.name_uk},
            code="unknown_document_code", details={"document_code": document_code})
    return req


def _store(app: Application, *, actor, document_code: str, uploaded_file, late: bool) -> Document:
    if uploaded_file is None:
        raise ValidationFailed(_("Оберіть файл для завантаження."), code="file_required")
    info = inspect_upload(uploaded_file)
    if Document.objects.filter(application=app, sha256=info.sha256).exists():
        raise ValidationFailed(_("Цей самий файл уже додано до заяви."), code="duplicate_file",
                               details={"sha256": info.sha256})
    name = os.path.basename(getattr(uploaded_file, "name", "") or "") or f"scan.{info.extension}"
    doc = Document(application=app, requirement_code=document_code, original_name=name[:255],
                   content_type=info.content_type, size=info.size, pages=info.pages, sha256=info.sha256,
                   uploaded_by=actor, late=late)
    uploaded_file.seek(0)
    doc.file.save(f"{info.sha256}.{info.extension}", uploaded_file, save=False)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError:
        # Two uploads of the same file at once: the unique constraint lets only one through.
        raise ValidationFailed(_("Цей самий файл уже додано до заяви."), code="duplicate_file",
                               details={"sha256": info.sha256}) from None
    return doc


def attach_document(*, actor, application_id, document_code: str, uploaded_file, request=None) -> Document:
    """Attach a scan to a checklist item. A draft or a returned case takes any item; a case at the back
    office only takes items still missing (``add_missing_document``)."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake")
        if app.status in AT_BACK_OFFICE:
            return _add_missing(app, actor=actor, document_code=document_code, uploaded_file=uploaded_file,
                                request=request)
        return _attach(app, actor=actor, uploads=[(document_code, uploaded_file)], request=request)[0]


def attach_documents(*, actor, application_id, uploads, request=None) -> list[Document]:
    """Attach several scans [(document_code, file), …] to a draft or returned case at once (the one-request
    intake): the case is locked, its checklist read and its version moved once; each scan is audited."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake")
        return _attach(app, actor=actor, uploads=list(uploads), request=request)


def _attach(app: Application, *, actor, uploads, request) -> list[Document]:
    require_editable(app)
    known = {req.code for req in app.service.documents.all()}
    docs = []
    for document_code, uploaded_file in uploads:
        if document_code not in known:
            _requirement(app, document_code)   # the error, with the service's name
        doc = _store(app, actor=actor, document_code=document_code, uploaded_file=uploaded_file,
                     late=app.first_submitted_at is not None)
        if app.status == Status.RETURNED:
            workflow.record_event(app, "document_added", actor=actor,
                                  data={"document_code": document_code, "document": doc.pk})
        audit.record(actor=actor, action="application.document_attach", obj=app, request=request,
                     details={"document": doc.pk, "document_code": document_code, "pages": doc.pages})
        docs.append(doc)
    if docs:
        bump(app)
    return docs


def add_missing_document(*, actor, application_id, document_code: str, uploaded_file, request=None) -> Document:
    """Bring a missing document to a case that is already at the back office (the only change allowed)."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake")
        if app.status not in AT_BACK_OFFICE:
            raise Conflict(_("Донести документ можна лише до заяви, яка розглядається бек-офісом."),
                           code="application_read_only", details={"status": app.status})
        return _add_missing(app, actor=actor, document_code=document_code, uploaded_file=uploaded_file,
                            request=request)


def _add_missing(app: Application, *, actor, document_code, uploaded_file, request) -> Document:
    req = _requirement(app, document_code)
    if app.documents.filter(requirement_code=req.code).exists():
        raise Conflict(_("Документ «%(t)s» уже подано; після надсилання заяви можна лише донести відсутні документи.")
                       % {"t": req.title_uk}, code="application_read_only")
    doc = _store(app, actor=actor, document_code=req.code, uploaded_file=uploaded_file, late=True)
    today = timezone.localdate()
    fields = []
    in_time = app.documents_deadline is None or today <= app.documents_deadline
    if req.timing == Timing.MAY_FOLLOW and not in_time:
        # Brought after the deadline: the application counts from the day the documents arrived.
        app.application_date = deadlines.application_date_for(today)
        app.due_date = deadlines.due_date_after_return(app, today, today)
        fields += ["application_date", "due_date"]
    workflow.record_event(app, "document_added", actor=actor,
                          data={"document_code": req.code, "document": doc.pk, "in_time": in_time})
    bump(app, *fields)
    audit.record(actor=actor, action="application.document_add_missing", obj=app, request=request,
                 details={"document": doc.pk, "document_code": req.code, "in_time": in_time})
    schedule_receipt(app.pk)
    return doc


def remove_document(*, actor, application_id, document_id, request=None) -> None:
    """Remove a wrongly attached scan while the case is a draft or returned for correction."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake")
        require_editable(app)
        doc = Document.objects.filter(application=app, pk=document_id).first() if str(document_id).isdigit() else None
        if doc is None:
            raise NotFound(_("Документ не знайдено."))
        data = {"document_code": doc.requirement_code, "document": doc.pk, "sha256": doc.sha256}
        storage, name = doc.file.storage, doc.file.name
        doc.delete()
        if app.status != Status.DRAFT:
            workflow.record_event(app, "document_removed", actor=actor, data=data)
        bump(app)
        audit.record(actor=actor, action="application.document_remove", obj=app, request=request, details=data)
        # The file goes only once the removal is committed.
        transaction.on_commit(lambda: storage.delete(name))


def document_for_download(*, actor, application_id, document_id, request=None) -> Document:
    """A visible case's document (404 outside the scope); the download is audited."""
    app = access.get_visible(actor, Application, pk=application_id)
    doc = access.get_visible(actor, Document.objects.filter(application=app), pk=document_id)
    audit.record(actor=actor, action="application.document_download", obj=app, request=request,
                 details={"document": doc.pk, "document_code": doc.requirement_code})
    return doc
