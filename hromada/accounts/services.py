"""Writes for accounts: staff users and API tokens."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import BaseCache, cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from hromada.audit.services import record
from hromada.core.caching import shared_cache
from hromada.core.errors import HromadaError, NotFound, Unauthorized, ValidationFailed

from . import lockout, twofactor
from .models import NATIONAL_ROLES, OFFICE_ROLES, TERRITORY_ROLES, ApiToken, Role, User

TOKEN_PREFIX = "hm_"


def record_login(*, user: User, request: HttpRequest, two_factor: bool = False) -> None:
    """The audit entry of a completed sign-in (the session is already bound to ``user``)."""
    record(actor=user, action="account.login", obj=user, request=request,
           details={"2fa": True} if two_factor else None)


@transaction.atomic
def create_staff_user(*, username: str, password: str, role: str, first_name: str = "", last_name: str = "",
                      patronymic: str = "", email: str = "", office: Model | None = None,
                      territory: Model | None = None,
                      check_password: bool = True) -> User:
    """Create (or update, for idempotent seeding) a staff user whose scope fits the role."""
    role = Role(role)
    if role in OFFICE_ROLES and office is None:
        raise ValidationFailed(gettext("Для цієї ролі потрібно вказати офіс."), code="office_required")
    if role in TERRITORY_ROLES and territory is None:
        raise ValidationFailed(gettext("Для цієї ролі потрібно вказати територію."), code="territory_required")
    if role in NATIONAL_ROLES:
        office = territory = None
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), code="weak_password") from exc
    user, _ = User.objects.update_or_create(
        username=username,
        defaults=dict(role=role, first_name=first_name, last_name=last_name, patronymic=patronymic,
                      email=email, office=office, territory=territory, is_active=True,
                      is_staff=role == Role.SYSADMIN, is_superuser=role == Role.SYSADMIN))
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def set_password_by_admin(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """A system administrator set (or disabled) ``user``'s password in the Django admin; the admin's form has
    put the new hash on ``user``. Save it and record ``admin.password_change`` — that it changed, never a hash."""
    user.save(update_fields=["password"])
    record(actor=actor, action="admin.password_change", obj=user, request=request,
           details={"password": "changed" if user.has_usable_password() else "disabled"})


def issue_api_token(*, request: HttpRequest, username: str, password: str, name: str = "api",
                    otp: str | None = None) -> tuple[str, ApiToken]:
    """Check the credentials (through django-axes, so failures count towards lock-out) and, for the roles
    that need two-factor authentication, the TOTP code; return a new raw token (shown once) with its record.

    Deliberately not one transaction: a failed attempt must stay recorded for the lock-out / OTP throttle.
    """
    if wait := lockout.wait_seconds(request, username):
        raise HromadaError(lockout.slowed_message(wait), code="login_slowed", status=429,
                           details={"retry_after": wait})
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise HromadaError(gettext("Забагато невдалих спроб входу. Вхід тимчасово заблоковано."), code="account_locked",
                           status=429)
    if user is None or not user.is_active:
        raise Unauthorized(gettext("Неправильне ім'я користувача або пароль."), code="invalid_credentials")
    if twofactor.code_required(user):
        twofactor.verify_code(user=user, token=otp, request=request)
    with transaction.atomic():
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=raw[:12], key_hash=ApiToken.hash(raw),
            expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS))
        record(actor=user, action="account.token_issue", object_type="accounts.apitoken", object_id=token.pk,
               request=request)
    return raw, token


# A valid token's user is kept in the cache for a minute when the cache is shared by every worker (Redis in
# production): every API request starts with this lookup. So is the user of a signed-in session, with which every
# page starts (``accounts.backends.UserBackend``). Anything that can end or change that access forgets the entries
# when it commits (``forget_cached_users``: revocations, password changes, saves of the user, the token or the
# user's office). A per-process cache (local memory, the default without REDIS_URL) is not used: a revocation in one
# worker could not reach the others, and a revoked token would work there for a minute.
TOKEN_CACHE_SECONDS = 60
SESSION_USER_SECONDS = 60


def _users_cache() -> BaseCache | None:
    """The cache for token lookups and session users, or None when it is not shared between worker processes."""
    return cache if shared_cache() is not None else None


def _token_cache_key(key_hash: str) -> str:
    return f"apitoken:{key_hash}"


def _session_user_cache_key(user_id: int) -> str:
    return f"sessionuser:{user_id}"


def session_user(user_id: int, load: Callable[[], User | None]) -> User | None:
    """The user of a signed-in session: from the shared cache, else ``load``-ed (None: no such active user) and kept
    there for a minute (``accounts.backends.UserBackend``)."""
    shared = _users_cache()
    if shared is None:
        return load()
    key = _session_user_cache_key(user_id)
    user: User | None = shared.get(key)
    if user is None:
        user = load()
        if user is not None:
            shared.set(key, user, SESSION_USER_SECONDS)
    return user


def user_for_token(raw: str) -> User | None:
    """The active user behind a valid token, else None. Records last use at most once a minute."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    key_hash = ApiToken.hash(raw)
    shared = _users_cache()
    cached = shared.get(_token_cache_key(key_hash)) if shared is not None else None
    now = timezone.now()
    if cached is not None and cached["expires_at"] > now:
        return cached["user"]
    # The office's hromada too: the front office's services need it on nearly every request.
    token = ApiToken.objects.select_related("user", "user__office__hromada", "user__territory").filter(
        key_hash=key_hash).first()
    if token is None or not token.is_valid or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if shared is not None:
        # Cached until the next last-use record is due, never past the token's expiry.
        shared.set(_token_cache_key(key_hash), {"user": token.user, "expires_at": min(token.expires_at, now + timedelta(
            seconds=TOKEN_CACHE_SECONDS))}, TOKEN_CACHE_SECONDS)
    return token.user


def forget_cached_users(*, user_ids: Collection[int] = (), office_ids: Collection[int] = ()) -> None:
    """Drop the cached token lookups and session users of these users (or of every user of these offices) now and
    again when the transaction commits (a request between the two would cache the old state), so a revoked token or
    a deactivated user is refused from the next request on."""
    if (not user_ids and not office_ids) or _users_cache() is None:
        return
    user_ids, office_ids = list(user_ids), list(office_ids)

    def forget() -> None:
        tokens = ApiToken.objects.filter(Q(user_id__in=user_ids) | Q(user__office_id__in=office_ids))
        staff = User.objects.filter(office_id__in=office_ids).values_list("pk", flat=True) if office_ids else []
        cache.delete_many([_token_cache_key(h) for h in tokens.values_list("key_hash", flat=True)]
                          + [_session_user_cache_key(pk) for pk in {*user_ids, *staff}])

    forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget)


@transaction.atomic
def revoke_api_token(*, user: User, raw: str | None = None, token_id: int | None = None,
                     request: HttpRequest | None = None) -> int:
    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if raw is not None:
        qs = qs.filter(key_hash=ApiToken.hash(raw))
    elif token_id is not None:
        qs = qs.filter(pk=token_id)
    ids = list(qs.values_list("pk", flat=True))
    forget_cached_users(user_ids=[user.pk])
    for token_pk in ids:
        record(actor=user, action="account.token_revoke", object_type="accounts.apitoken", object_id=token_pk,
               request=request)
    return qs.update(revoked_at=timezone.now())


def own_tokens(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (others' tokens never show)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


@transaction.atomic
def revoke_own_token(*, user: User, token_id: int, request: HttpRequest | None = None) -> ApiToken:
    """Revoke one of the user's tokens; another user's (or an unknown) id is "not found"."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(gettext("Токен не знайдено."), code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])  # the token's post_save forgets the cached lookup
        record(actor=user, action="account.token_revoke", object_type="accounts.apitoken", object_id=token.pk,
               request=request)
    return token


@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str, request: HttpRequest | None = None) -> User:
    """Change the user's own password after checking the old one and the password policy."""
    if not user.check_password(old_password):
        raise ValidationFailed(gettext("Поточний пароль введено неправильно."), code="wrong_password")
    if old_password == new_password:
        raise ValidationFailed(gettext("Новий пароль має відрізнятися від поточного."), code="same_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Tokens issued under the old password stop working: a leaked password must not keep API access.
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record(actor=user, action="account.password_change", obj=user, request=request)
    return user
