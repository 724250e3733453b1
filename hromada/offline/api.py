import json

from django.utils.translation import gettext
from ninja import Router, Schema

from hromada.accounts import access
from hromada.core.errors import ValidationFailed
from hromada.core.schemas import ErrorOut

from . import services

ROUTER_PREFIX = "/offline"
router = Router(tags=["offline intake"])


class SyncOut(Schema):
    id: int
    number: str
    status: str
    back_office: str | None = None
    due_date: str | None = None
    person_id: int
    client_key: str
    replayed: bool


@router.post("/intake", response={200: SyncOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                  422: ErrorOut},
             summary="Надіслати справу, прийняту без зв’язку (рівно один раз на client_key)")
@access.api_permission("application.intake")
def sync_case(request):
    """Multipart form: ``client_key``, ``author_id`` and ``desk_id`` (the user and front office that saved the
    case: anyone else is refused with 403 ``offline_author_mismatch``), ``payload`` (JSON: person, service_code,
    channel), optional
    ``use_existing_person_id`` / ``confirm_not_duplicate``, and files as ``file:<document_code>`` (repeatable).
    The same ``client_key`` always yields the same answer (``replayed: true`` on repeats)."""
    try:
        payload = json.loads(request.POST.get("payload") or "{}")
    except ValueError:
        raise ValidationFailed(gettext("Поле payload має містити JSON."), code="invalid_payload") from None
    if not isinstance(payload, dict):
        raise ValidationFailed(gettext("Поле payload має бути об’єктом JSON."), code="invalid_payload")
    files = {}
    for field in request.FILES:
        if field.startswith("file:"):
            files[field[5:]] = request.FILES.getlist(field)
    result = services.sync_offline_case(
        actor=request.user, client_key=request.POST.get("client_key", ""), payload=payload, files=files,
        use_existing_person_id=request.POST.get("use_existing_person_id") or None,
        confirm_not_duplicate=request.POST.get("confirm_not_duplicate") in ("1", "true", "on"),
        author_id=request.POST.get("author_id"), desk_id=request.POST.get("desk_id"), request=request)
    response = dict(result.response)
    for key in ("back_office", "due_date"):
        if response.get(key) is not None:
            response[key] = str(response[key])
    return {**response, "replayed": result.replayed}
