"""Scanned documents of a case: attach (checked by ``files.inspect_upload``), remove, bring later."""
from __future__ import annotations

import os
from collections.abc import Iterable

from django.core.files.base import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.audit import services as audit
from hromada.catalog.models import DocumentRequirement, Timing
from hromada.core import db
from hromada.core.db import delete_if_rolled_back, write_transaction
from hromada.core.errors import Conflict, NotFound, ValidationFailed

from .. import deadlines, selectors, workflow
from ..models import Application, Document, Status
from ..tasks import schedule_receipt
from .common import AT_BACK_OFFICE, bump, lock_and_bump, lock_application, require_editable
from .files import inspect_upload


def _requirement(app: Application, document_code: str) -> DocumentRequirement:
    req = app.service.documents.filter(code=document_code or "").first()
    if req is None:
        raise ValidationFailed(
            _("Документа з кодом «%(code)s» немає в переліку послуги «%(service)s».") % {
                "code": document_code, "service": app.service.name_uk},
            code="unknown_document_code", details={"document_code": document_code})
    return req


def _store(app: Application, *, actor: User, document_code: str, uploaded_file: File | None, late: bool,
           known_hashes: set[str], save: bool = True) -> Document:
    """Check and store one scan's file; save its row unless ``save=False`` (the caller saves several at once).
    ``known_hashes``: the case's scans' hashes, read by the caller with the case locked (so no other upload to it
    runs between that reading and this row's INSERT); this scan's is added."""
    if uploaded_file is None:
        raise ValidationFailed(_("Оберіть файл для завантаження."), code="file_required")
    info = inspect_upload(uploaded_file)
    # The same file twice is refused here, by the hashes in hand: no unique index on (case, hash) holds 56 bytes of
    # every scan for this one check (#24, bytes; applications/0020).
    if info.sha256 in known_hashes:
        raise ValidationFailed(_("Цей самий файл уже додано до заяви."), code="duplicate_file",
                               details={"sha256": info.sha256})
    name = os.path.basename(getattr(uploaded_file, "name", "") or "") or f"scan.{info.extension}"
    doc = Document(application=app, requirement_code=document_code, original_name=name[:255],
                   content_type=info.content_type, size=info.size, pages=info.pages, sha256=info.sha256,
                   uploaded_by=actor, late=late)
    uploaded_file.seek(0)
    doc.file.save(f"{info.sha256}.{info.extension}", uploaded_file, save=False)
    # The row may still roll back (a later check, the rest of an offline case): the file goes with it.
    delete_if_rolled_back(doc.file.storage, doc.file.name or "")
    known_hashes.add(info.sha256)
    if save:
        doc.save()
    return doc


@write_transaction
def attach_document(*, actor: User, application_id: int, document_code: str, uploaded_file: File | None,
                    request: HttpRequest | None = None) -> Document:
    """Attach a scan to a checklist item. A draft or a returned case takes any item; a case at the back
    office only takes items still missing (``add_missing_document``)."""
    # The entry is appended last: the audit chain head is the last lock (core.db). The case is locked by the UPDATE
    # that moves its version (a scan always moves it: stale forms are refused after it) — one round trip for both.
    with transaction.atomic(), audit.batch():
        app, code_known, hashes = lock_and_bump(actor, application_id, action="application.intake",
                                                document_code=document_code)
        if app.status in AT_BACK_OFFICE:
            return _add_missing(app, actor=actor, document_code=document_code, uploaded_file=uploaded_file,
                                request=request, bumped=True)
        return _attach(app, actor=actor, uploads=[(document_code, uploaded_file)], request=request,
                       known_code=code_known, hashes=hashes)[0]


@write_transaction
def attach_documents(*, actor: User, application_id: int, uploads: Iterable[tuple[str, File]],
                     request: HttpRequest | None = None,
                     application: Application | None = None) -> list[Document]:
    """Attach several scans [(document_code, file), …] to a draft or returned case at once (the one-request
    intake): the case is locked, its checklist read and its version moved once; each scan is audited.
    ``application``: the new case the caller's transaction created and holds (inside ``all_or_nothing``): not
    read again; its rows are written in one INSERT and its version moves with the submission that follows."""
    fresh = application is not None and db.in_all_or_nothing()
    with db.atomic(), audit.batch():   # the entries after the version bump: the head is the last lock (core.db)
        app = application if application is not None and fresh \
            else lock_application(actor, application_id, action="application.intake")
        return _attach(app, actor=actor, uploads=list(uploads), request=request, fresh=fresh)


def _attach(app: Application, *, actor: User, uploads: Iterable[tuple[str, File | None]], request: HttpRequest | None,
            fresh: bool = False, known_code: bool | None = None, hashes: set[str] | None = None) -> list[Document]:
    """``known_code``: one scan whose code the caller checked against the checklist (``lock_and_bump``), the
    version already moved; otherwise the checklist is read here and the version moved at the end. ``hashes``: the
    case's scans' hashes, read by the caller's lock (else read here, once)."""
    require_editable(app)
    uploads = list(uploads)
    bumped = known_code is not None
    if not bumped:
        requirements = app.service.documents.all()
        known = {req.code for req in requirements}
    else:   # one scan, its code checked by the caller's lock
        known = {code for code, _file in uploads} if known_code else set()
    # A new case has no scans yet; an existing one's hashes are read once (not once per scan), under its lock.
    if hashes is None:
        hashes = set() if fresh else set(app.documents.values_list("sha256", flat=True))
    docs = []
    for document_code, uploaded_file in uploads:
        if document_code not in known:
            _requirement(app, document_code)   # the error, with the service's name
        doc = _store(app, actor=actor, document_code=document_code, uploaded_file=uploaded_file,
                     late=app.first_submitted_at is not None, known_hashes=hashes, save=not fresh)
        docs.append(doc)
    if fresh and docs:
        Document.objects.bulk_create(docs)
        # The submission that follows in the same request reads the checklist from these (no query).
        selectors.fill_prefetched(app.service, "documents", requirements)
        selectors.fill_prefetched(app, "documents", docs)
    for doc in docs:
        document_code = doc.requirement_code
        if app.status == Status.RETURNED:
            workflow.record_event(app, "document_added", actor=actor,
                                  data={"document_code": document_code, "document": doc.pk})
        audit.record(actor=actor, action="application.document_attach", obj=app, request=request,
                     details={"document": doc.pk, "document_code": document_code, "pages": doc.pages})
    if docs and not fresh and not bumped:
        bump(app)
    return docs


@write_transaction
def add_missing_document(*, actor: User, application_id: int, document_code: str, uploaded_file: File | None,
                         request: HttpRequest | None = None) -> Document:
    """Bring a missing document to a case that is already at the back office (the only change allowed)."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake")
        if app.status not in AT_BACK_OFFICE:
            raise Conflict(_("Донести документ можна лише до заяви, яка розглядається бек-офісом."),
                           code="application_read_only", details={"status": app.status})
        return _add_missing(app, actor=actor, document_code=document_code, uploaded_file=uploaded_file,
                            request=request)


def _add_missing(app: Application, *, actor: User, document_code: str, uploaded_file: File | None,
                 request: HttpRequest | None, bumped: bool = False) -> Document:
    """``bumped``: the caller's lock already moved the version (``lock_and_bump``); only the dates are saved."""
    req = _requirement(app, document_code)
    # The case's scans, read once with the case locked: the item already brought, and the same file twice.
    scans = list(app.documents.values_list("requirement_code", "sha256"))
    if any(code == req.code for code, _sha in scans):
        raise Conflict(_("Документ «%(t)s» уже подано; після надсилання заяви можна лише донести відсутні документи.")
                       % {"t": req.title_uk}, code="application_read_only")
    doc = _store(app, actor=actor, document_code=req.code, uploaded_file=uploaded_file, late=True,
                 known_hashes={sha for _code, sha in scans})
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
    if not bumped:
        bump(app, *fields)
    elif fields:
        app.save(update_fields=[*fields, "updated_at"])
    audit.record(actor=actor, action="application.document_add_missing", obj=app, request=request,
                 details={"document": doc.pk, "document_code": req.code, "in_time": in_time})
    schedule_receipt(app.pk)
    return doc


def remove_document(*, actor: User, application_id: int, document_id: int, request: HttpRequest | None = None) -> None:
    """Remove a wrongly attached scan while the case is a draft or returned for correction."""
    with transaction.atomic():
        app = lock_application(actor, application_id, action="application.intake")
        require_editable(app)
        # Read through the case: the scan's stored name is derived from it (no second read of the case).
        doc = app.documents.filter(pk=document_id).first() if str(document_id).isdigit() else None
        if doc is None:
            raise NotFound(_("Документ не знайдено."))
        data = {"document_code": doc.requirement_code, "document": doc.pk, "sha256": doc.sha256}
        storage, name = doc.file.storage, doc.file.name or ""
        doc.delete()
        if app.status != Status.DRAFT:
            workflow.record_event(app, "document_removed", actor=actor, data=data)
        bump(app)
        audit.record(actor=actor, action="application.document_remove", obj=app, request=request, details=data)
        # The file goes only once the removal is committed.
        transaction.on_commit(lambda: storage.delete(name))


def document_for_download(*, actor: User, application_id: int, document_id: int,
                          request: HttpRequest | None = None) -> Document:
    """A visible case's document (404 outside the scope); the download is audited."""
    app = access.get_visible(actor, Application, pk=application_id)
    doc = access.get_visible(actor, app.documents.all(), pk=document_id)   # through the case, as in remove_document
    audit.record(actor=actor, action="application.document_download", obj=app, request=request,
                 details={"document": doc.pk, "document_code": doc.requirement_code})
    return doc
