"""Applications (electronic cases): participants, scanned documents, the history (kept in the case's row).

The status field is changed only by hromada.applications.workflow (the state machine).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hromada.core.fields import DerivedNameFileField, HexDigestField, WordCodeField
from hromada.core.history import HistoryCodec

from .checkcode import new_check_code


class Status(models.TextChoices):
    DRAFT = "draft", _("Чернетка")
    SUBMITTED = "submitted", _("Надіслано до бек-офісу")
    IN_REVIEW = "in_review", _("На розгляді")
    RETURNED = "returned", _("Повернуто на доопрацювання")
    RESUBMITTED = "resubmitted", _("Надіслано повторно")
    DECIDED_GRANTED = "decided_granted", _("Рішення: призначено")
    DECIDED_REFUSED = "decided_refused", _("Рішення: відмовлено")
    RESULT_SENT = "result_sent", _("Результат у фронт-офісі")
    RESULT_ISSUED = "result_issued", _("Результат видано заявнику")
    CLOSED = "closed", _("Закрито")
    WITHDRAWN = "withdrawn", _("Відкликано заявником")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Особисто у фронт-офісі")
    CNAP = "cnap", _("Через ЦНАП")
    POST = "post", _("Поштою")
    ELECTRONIC = "electronic", _("Електронно (Дія, API)")


class IssueMethod(models.TextChoices):
    """How the front office handed the decision to the resident."""
    IN_PERSON = "in_person", _("Особисто у фронт-офісі")
    POST = "post", _("Поштою")
    EMAIL = "email", _("Електронною поштою")
    SMS = "sms", _("SMS-повідомленням")
    DIIA = "diia", _("Через Дію")


class ParticipantRole(models.TextChoices):
    APPLICANT = "applicant", _("Заявник")
    REPRESENTATIVE = "representative", _("Представник")
    FAMILY_MEMBER = "family_member", _("Член сім’ї")
    DEPENDANT = "dependant", _("Утриманець")
    RECIPIENT = "recipient", _("Отримувач")


class Application(models.Model):
    # Unique by a constraint in Meta, not ``unique=True``: that adds a second (pattern) index on PostgreSQL that no
    # query reads — numbers are looked up whole.
    number = models.CharField(_("номер"), max_length=32)
    # No index of its own (0024): cases are read by service only within a hromada or a back office, whose indexes
    # lead; billing's duplicate check reads the claim index.
    service = models.ForeignKey("catalog.ServiceType", on_delete=models.PROTECT, related_name="applications",
                                verbose_name=_("послуга"), db_index=False)
    # One plain index (Meta), not db_index's two: no query compares a status by pattern (#24, migration 0018).
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("канал"), max_length=16, choices=Channel.choices, default=Channel.IN_PERSON)
    # No index (0024): the front office's worklist reads the failed messages first, then their cases by key.
    front_office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="accepted_applications",
                                     verbose_name=_("фронт-офіс"), db_index=False)
    # The front office's hromada, copied at creation: scoping and billing key (never changes). Read through the
    # (hromada, status) and (hromada, first submitted) indexes, which lead with it: no index of its own (0018).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("громада"), db_index=False)
    # Read through the queue's index, which leads with it (0018).
    back_office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="incoming_applications", verbose_name=_("бек-офіс"), db_index=False)
    # Shown with the case, never searched by: no index, as ``issued_by`` (0018).
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("фахівець фронт-офісу"), db_index=False)
    # Indexed only among the cases a back office holds ("open_assignee" below, 0024): "mine" and "by assignee" are
    # asked of them; a decided case keeps its assignee for billing, which reads it with the rest of the row.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="assigned_applications", verbose_name=_("виконавець"),
                                    db_index=False)
    # The applicant, set at creation and never changed. The case's only record of its applicant (#24, bytes: not
    # also a participant row, which every case had — about 170 B an application at 1 M); ``people`` tells her first
    # among the case's people. Billing's duplicate check and the queue read it with one index probe; the persons of
    # a person's cases are found by the claim index, which leads with it. Null only in the database's type (a rebuild
    # of the SQLite table to change it would drop the history's trigger): every case has one.
    applicant_person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", db_index=False, verbose_name=_("заявник"))
    # Never changed once written: its scans' stored names are derived from it (Document.file).
    registered_at = models.DateTimeField(_("зареєстровано"), auto_now_add=True)
    # The legal application date (registration day, moved to the next working day if a day off).
    application_date = models.DateField(_("дата звернення"))
    # When the paper application was received (post, ЦНАП): hand-over must follow within 3 working days.
    paper_received_on = models.DateField(_("паперову заяву отримано"), null=True, blank=True)
    handover_late = models.BooleanField(_("передано із запізненням"), default=False)
    documents_deadline = models.DateField(_("строк донесення документів"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("вперше надіслано"), null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("надіслано"), null=True, blank=True)
    # Read through the queue's index (0024): an overdue case is looked for among a back office's or a status's.
    due_date = models.DateField(_("строк рішення"), null=True, blank=True)
    decided_at = models.DateTimeField(_("рішення прийнято"), null=True, blank=True)
    result_sent_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(_("результат видано"), null=True, blank=True)
    issue_method = models.CharField(_("спосіб видачі результату"), max_length=10, choices=IssueMethod.choices,
                                    blank=True)
    # Shown with the case, never searched by: no index (#24, migration 0016 says why a user's deletion needs none).
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("результат видав(ла)"), db_index=False)
    # Where the resident wants to hear about the decision, and the specialist's note: typed in the wizard,
    # kept after submission (draft_data is cleared then), shown to the back office.
    contact_phone = models.CharField(_("телефон для повідомлення"), max_length=13, blank=True)
    contact_email = models.EmailField(_("ел. пошта для повідомлення"), blank=True)
    note = models.TextField(_("примітка фахівця"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Days the case spent returned to the front office (see workflow.py for the rule).
    returned_days = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    # Draft form data saved as the specialist types (autosave), cleared on submission.
    draft_data = models.JSONField(default=dict, blank=True)
    # With the number it opens the public status page (printed on the receipt); see checkcode.py.
    check_code = models.CharField(_("код перевірки"), max_length=16, default=new_check_code, editable=False)
    # Looks at the public status page that found this case (each one is logged in notifications.StatusLook).
    status_checks = models.PositiveIntegerField(_("перевірок статусу"), default=0)
    # Optimistic lock: every change increments it; a stale version is a conflict.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    # The decision's outcome (True granted, False refused, None not decided by the back office), set by the grant
    # and refuse steps: billing's and monitoring's "was it granted" reads it (it was an event's existence).
    granted = models.BooleanField(null=True, blank=True, editable=False)
    # Who did what, when, from which state, why: every event of the case, packed (``HISTORY``, hromada.core.history;
    # #24, bytes: a row per event was 740 B a case). Only the workflow engine appends to it; the database refuses an
    # UPDATE that does not keep what was there (migration 0022).
    history = models.BinaryField(default=b"", editable=False)

    class Meta:
        verbose_name = _("заява")
        verbose_name_plural = _("заяви")
        ordering = ["-registered_at"]
        constraints = [models.UniqueConstraint(fields=["number"], name="unique_application_number")]
        indexes = [
            # The back-office queue: its cases of one status walked in (due date, id) order, stopping after a page.
            models.Index(fields=["back_office", "status", "due_date", "id"], name="applications_queue_idx"),
            models.Index(fields=["hromada", "status"]),
            models.Index(fields=["status"], name="application_status_idx"),
            models.Index(fields=["hromada", "first_submitted_at"]),
            models.Index(fields=["applicant_person", "service", "hromada", "first_submitted_at"],
                         name="applications_claim_idx"),
            # A back office's cases by who has them: only the cases it holds (workflow.BACK_OFFICE_STATES, a test
            # keeps them the same), a few in a hundred of all. "Someone has it" in the condition too: only a query
            # naming an assignee implies it, so no other reads the whole index as a list of the open cases (which
            # the planner did for the head's workload, 5 → 15 ms).
            models.Index(fields=["assigned_to"], name="application_open_assignee",
                         condition=models.Q(assigned_to__isnull=False,
                                            status__in=[Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW])),
        ]

    def __str__(self):
        return self.number

    @property
    def people(self) -> list["Participant"]:
        """Everyone taking part in the case, the applicant first (an unsaved row: she is the case's
        ``applicant_person``), then the participant rows. Read with ``applicant_person`` and ``participants`` (with
        their persons) in hand: lists select and prefetch them."""
        # A row in the applicant role is a straggler of a rolling upgrade (migration 0023): she is the column.
        others = [p for p in self.participants.all() if p.role != ParticipantRole.APPLICANT]
        if self.applicant_person_id is None:
            return others
        return [Participant(application=self, person=self.applicant_person, role=ParticipantRole.APPLICANT.value),
                *others]


class Participant(models.Model):
    """A person taking part in a case besides its applicant (a family member, a representative, …): the applicant is
    the case's ``applicant_person`` (``Application.people`` tells both). Nothing writes the role "applicant" here
    any more (migration 0023); a row in it is ignored."""
    # Read by application through the unique (application, person, role) index: no index of its own.
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="participants",
                                    db_index=False)
    person = models.ForeignKey("persons.Person", on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("роль"), max_length=20, choices=ParticipantRole.choices)

    class Meta:
        verbose_name = _("учасник")
        verbose_name_plural = _("учасники")
        constraints = [
            models.UniqueConstraint(fields=["application", "person", "role"], name="unique_participant_role"),
        ]


class NumberSequence(models.Model):
    """Per hromada and year counter for readable application numbers (row-locked on increment)."""
    # Indexed as the first column of unique_sequence: no index of its own (#24).
    hromada = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hromada", "year"], name="unique_sequence")]


# The types a scan may have (``services.files.ALLOWED``, checked from the content), as a word code's vocabulary:
# append only — a code names its type for ever; a test checks every accepted type is here.
SCAN_TYPES = ("", "application/pdf", "image/jpeg", "image/png", "image/tiff")


def document_upload_to(instance, filename):
    # Content-addressed, no personal data in the path.
    return f"documents/{instance.application.registered_at:%Y/%m}/{instance.application_id}/{instance.sha256}"


class Document(models.Model):
    """One scanned file for a checklist item of the application."""
    # Read by application (its own index, ``document_application``), and the code only within one application: the
    # code has no index (a SlugField would have two on PostgreSQL).
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents", db_index=False)
    requirement_code = models.SlugField(_("код документа"), max_length=64, db_index=False)
    # Stored as '' when it is the derived name (case, month, hash: all in the row) — core.fields.DerivedNameFileField.
    file = DerivedNameFileField(upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    # Its word's code (#24, bytes; migration 0021): append to SCAN_TYPES, never reorder.
    content_type = WordCodeField(words=SCAN_TYPES)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField(default=1)
    # Compared only among one case's scans, read with the case locked (``services.documents``): no index holds it
    # (#24, bytes: the unique (application, sha256) index was 233 B per application; migration 0020). Kept as 32
    # bytes, handled as hex (migration 0013).
    sha256 = HexDigestField()
    # Nothing reads scans by their uploader (users are deactivated, never deleted): no index.
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    db_index=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Arrived after the case was sent (a "may follow" item brought later).
    late = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документи")
        ordering = ["requirement_code", "uploaded_at"]
        # One case's scans are few: the index's repeated keys are stored once each (PostgreSQL's deduplication).
        indexes = [models.Index(fields=["application"], name="document_application")]


# The history's vocabularies (``Application.history``, ``HISTORY``): a word's code is its place. Append only — a
# code names its word for ever; a test checks every transition and every state is here.
EVENT_ACTIONS = ("", "create", "submit", "take", "assign", "return", "resubmit", "grant", "refuse", "send_result",
                 "issue", "close", "withdraw", "social_provide", "social_refuse", "document_added", "document_removed")
EVENT_STATES = ("", "draft", "submitted", "in_review", "returned", "resubmitted", "decided_granted", "decided_refused",
                "result_sent", "result_issued", "closed", "withdrawn")


# The case's history, one row per case (docs/decisions/0004; ``Application.history``).
HISTORY = HistoryCodec(EVENT_ACTIONS, EVENT_STATES)


class IdempotencyRecord(models.Model):
    """The answer given to a request with an Idempotency-Key, replayed for the same key."""
    key = models.CharField(max_length=128)
    # Indexed as the first column of unique_idempotency_key: no index of its own (#24).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    scope = models.CharField(max_length=64)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, related_name="+")
    status_code = models.PositiveSmallIntegerField(default=200)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="unique_idempotency_key")]


def receipt_upload_to(instance, filename):
    return f"receipts/{instance.application_id}/{instance.sha256}.pdf"


class Receipt(models.Model):
    """The stored "Повідомлення про прийняття заяви" PDF (the latest one is handed to the resident)."""
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="receipts")
    file = DerivedNameFileField(upload_to=receipt_upload_to, max_length=255)   # as the scan's
    sha256 = HexDigestField()
    # The application version the receipt was rendered from (for the history of receipts).
    application_version = models.PositiveIntegerField(default=0)
    # Hash of what the receipt states (documents, dates, offices): a new receipt only when one of them changed. Not
    # indexed (#24, bytes: 270 B per application in two indexes): only the case's latest receipt is compared with it.
    # Kept as bytes, handled as hex (migration 0015): 16 of them (``services.receipts.content_key``), 32 in a receipt
    # stored before.
    content_key = HexDigestField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("повідомлення про прийняття заяви")
        verbose_name_plural = _("повідомлення про прийняття заяв")
        ordering = ["-created_at", "-id"]
