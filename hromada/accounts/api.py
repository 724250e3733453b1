from datetime import datetime

from ninja import Router, Schema, Status

from hromada.core.errors import Unauthorized
from hromada.core.schemas import ErrorOut

from . import access, services
from .access import scope_of

ROUTER_PREFIX = "/auth"
router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = None   # TOTP code (or a recovery code): required for 2FA roles and for users who enrolled
    name: str = "api"


class TokenOut(Schema):
    token: str
    expires_at: datetime
    token_type: str = "Bearer"


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    office: str | None
    scope: str


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
             summary="Отримати API-токен")
def obtain_token(request, payload: TokenIn):
    """Exchange a username and password (plus a TOTP code or a recovery code in ``otp`` for roles with two-factor
    authentication and users who enrolled: errors ``otp_required`` / ``invalid_otp``) for a bearer token valid for
    API_TOKEN_TTL_HOURS. Repeated failures answer 429 ``account_locked`` or ``login_slowed`` (wait
    ``details.retry_after`` seconds)."""
    raw, token = services.issue_api_token(request=request, username=payload.username, password=payload.password,
                                          otp=payload.otp, name=payload.name)
    return {"token": raw, "expires_at": token.expires_at}


@router.post("/token/revoke", response={204: None, 401: ErrorOut}, summary="Відкликати поточний токен")
@access.api_permission("account.self")
def revoke_token(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthorized()
    services.revoke_api_token(user=request.user, raw=header[7:].strip(), request=request)
    return Status(204, None)


@router.get("/tokens", response=list[TokenInfoOut], summary="Мої API-токени")
@access.api_permission("account.self")
def list_tokens(request):
    """The caller's own tokens (never the secret: only its first characters)."""
    return [{"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at, "expires_at": t.expires_at,
             "revoked_at": t.revoked_at, "last_used_at": t.last_used_at, "active": t.is_valid}
            for t in services.own_tokens(user=request.user)]


@router.delete("/tokens/{token_id}", response={204: None, 404: ErrorOut}, summary="Відкликати мій API-токен")
@access.api_permission("account.self")
def delete_token(request, token_id: int):
    services.revoke_own_token(user=request.user, token_id=token_id, request=request)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="Поточний користувач")
@access.api_permission("account.self")
def me(request):
    user = request.user
    return {"username": user.username, "full_name": user.display_name, "role": user.role,
            "role_label": str(user.get_role_display()), "office": str(user.office) if user.office_id else None,
            "scope": scope_of(user).level}
