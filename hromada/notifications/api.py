"""API of the notifications domain (mounted at the top level, prefix ""):

- GET  /public/status?number=…&code=…          no auth; the resident's status check
- POST /public/sms/delivery-report              the SMS gateway's delivery report (shared secret)
- GET  /applications/{id}/notifications         staff: every message of the case with its state
- GET  /notifications/failed-count              staff: residents to call (the front office's worklist)
- PUT  /applications/{id}/consents/{channel}    front office: the applicant's consent to a channel
"""
from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status

from hromada.accounts import access
from hromada.audit.services import client_ip
from hromada.core.schemas import ErrorOut

from . import selectors, services

ROUTER_PREFIX = ""
router = Router(tags=["Сповіщення заявників"])


class MissingDocumentOut(Schema):
    title: str
    due: date | None


class CollectAtOut(Schema):
    office: str
    address: str
    hours: str


class PublicStatusOut(Schema):
    number: str
    service: str
    status: str
    status_label: str
    submitted_at: date | None
    due_date: date | None
    missing_documents: list[MissingDocumentOut]
    result_ready: bool
    collect_at: CollectAtOut | None = None


class NotificationOut(Schema):
    channel: str
    kind: str
    state: str
    attempts: int
    last_error: str
    created_at: datetime
    updated_at: datetime


class ReportIn(Schema):
    id: str
    status: str
    error: str = ""


class ReportOut(Schema):
    state: str


class CountOut(Schema):
    count: int


class ConsentIn(Schema):
    granted: bool


class ConsentOut(Schema):
    channel: str
    granted: bool
    recorded_at: datetime


@router.get("/public/status", auth=None, response={200: PublicStatusOut, 404: ErrorOut, 429: ErrorOut},
            summary="Стан заяви за номером і кодом перевірки (без входу)")
def public_status(request, number: str = "", code: str = ""):
    """Only the service, the state in plain words, dates, missing documents and where the result waits: no
    name, РНОКПП, address, amount or decision reason. A wrong code answers like an unknown number (404
    ``not_found``); repeated misses from one address → 429 ``rate_limited``."""
    return services.check_status(number=number, code=code, ip=client_ip(request)).as_dict()


@router.post("/public/sms/delivery-report", auth=None, url_name="sms_report",
             response={200: ReportOut, 202: ReportOut, 401: ErrorOut, 422: ErrorOut},
             summary="Звіт SMS-шлюзу про доставку (Authorization: Bearer <спільний секрет>)")
def delivery_report(request, payload: ReportIn):
    """200 with the message's state; 202 ``pending`` for an id not recorded yet (the gateway reported before
    the send was recorded): the report is kept and applied when it is."""
    header = request.headers.get("Authorization", "")
    secret = header[7:] if header.lower().startswith("bearer ") else ""
    row = services.record_delivery_report(secret=secret, message_id=payload.id, status=payload.status,
                                          error=payload.error[:200])
    if row is None:
        return Status(202, {"state": "pending"})
    return {"state": row.state}


@router.get("/applications/{int:application_id}/notifications", response=list[NotificationOut],
            summary="Сповіщення заявника за заявою: канал, привід, стан")
@access.api_permission("application.view")
def application_notifications(request, application_id: int):
    return [{"channel": n.channel, "kind": n.kind, "state": n.state, "attempts": n.attempts,
             "last_error": n.last_error, "created_at": n.created_at, "updated_at": n.updated_at}
            for n in selectors.notifications_for(request.user, application_id)]


@router.put("/applications/{int:application_id}/consents/{channel}", response=ConsentOut,
            summary="Згода заявника на сповіщення каналом sms або email")
@access.api_permission("application.intake")
def record_consent(request, application_id: int, channel: str, payload: ConsentIn):
    person_id = selectors.applicant_id(request.user, application_id)
    consent = services.record_consent(actor=request.user, person_id=person_id, channel=channel,
                                      granted=payload.granted, request=request)
    return {"channel": consent.channel, "granted": consent.granted, "recorded_at": consent.recorded_at}


@router.get("/notifications/failed-count", response=CountOut,
            summary="Скільки заявників треба повідомити телефоном (сповіщення не вдалося)")
@access.api_permission("application.intake")
def failed_count(request):
    return {"count": selectors.failed_notifications_count(request.user)}
