"""Sign-in with two-factor authentication, password change and the user's API tokens (thin views)."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from hromada.core.errors import HromadaError, NotFound

from . import access, lockout, services, twofactor
from .forms import CodeForm, EnrolForm, PasswordChangeForm
from .models import User

PENDING_KEY = "hromada_2fa_pending"
PENDING_TTL_SECONDS = 300


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Password step. Users who need 2FA are *not* logged in here: they go on to the code step."""
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = lockout.wait_seconds(request, request.POST.get("username", ""))
        if wait:
            response = render(request, "accounts/locked_out.html",
                              {"wait": wait, "wait_message": lockout.slowed_message(wait)}, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.code_required(user):
            self.request.session.cycle_key()
            self.request.session[PENDING_KEY] = {
                "user_id": user.pk, "backend": user.backend, "at": time.time(),
                "next": _safe_next(self.request, self.get_redirect_url()),
            }
            target = "accounts:otp_verify" if twofactor.has_confirmed_device(user) else "accounts:otp_enrol"
            return redirect(target)
        response = super().form_valid(form)
        services.record_login(user=user, request=self.request)
        lockout.remember_browser(self.request, response, user.username)
        return response


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_TTL_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


def _show_notices(request, user) -> None:
    """Changes to the sign-in factors since the last sign-in, on screen (they were mailed when they happened)."""
    for notice in twofactor.take_notices(user=user):
        messages.warning(request, _("Увага: %(what)s (%(at)s). Якщо це були не ви, негайно зверніться до "
                                    "системного адміністратора.") % {
            "what": notice.get_kind_display(), "at": date_format(localtime(notice.created_at), "d.m.Y H:i")})


def _finish_login(request, user, pending, device):
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=pending["backend"])
    otp_login(request, device)
    services.record_login(user=user, request=request, two_factor=True)
    _show_notices(request, user)
    response = HttpResponseRedirect(pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL))
    lockout.remember_browser(request, response, user.username)
    return response


def otp_verify(request):
    """Second step: the six-digit code from the authenticator app, or one of the recovery codes."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Сеанс входу завершився. Увійдіть ще раз."))
        return redirect("accounts:login")
    if not twofactor.has_confirmed_device(user):
        return redirect("accounts:otp_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify_code(user=user, token=form.cleaned_data["otp"], request=request)
        except HromadaError as exc:
            form.add_error("otp", exc.message)
        else:
            if device.name == twofactor.RECOVERY_DEVICE_NAME:
                messages.warning(request, _("Ви увійшли з резервним кодом; залишилося кодів: %(n)s.") % {
                    "n": twofactor.recovery_codes_left(user)})
            return _finish_login(request, user, pending, device)
    return render(request, "accounts/otp_verify.html", {"form": form}, status=400 if form.errors else 200)


def otp_enrol(request):
    """Enrol an authenticator: scan the QR code, confirm a code; the recovery codes are shown once after.

    Between the password and the code steps (a "pending" sign-in) only a user with no confirmed device may enrol;
    a signed-in user replacing a confirmed device also gives a code from it (or a recovery code)."""
    if request.user.is_authenticated:
        user, pending = request.user, None
    else:
        user, pending = _pending_user(request)
        if user is None:
            return redirect("accounts:login")
        if twofactor.has_confirmed_device(user):
            return redirect("accounts:otp_verify")  # a password alone never shows a new secret
    fully_signed_in = pending is None
    replacing = fully_signed_in and twofactor.has_confirmed_device(user)
    device = twofactor.start_enrolment(user=user, fully_signed_in=fully_signed_in)
    form = EnrolForm(request.POST or None, replacing=replacing)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = twofactor.confirm_enrolment(
                user=user, token=form.cleaned_data["otp"], current=form.cleaned_data.get("current"),
                fully_signed_in=fully_signed_in, request=request)
        except HromadaError as exc:
            form.add_error("current" if exc.code in ("otp_current_required", "otp_current_invalid") else "otp",
                           exc.message)
        else:
            signed_in = None
            if pending is not None:
                signed_in = _finish_login(request, user, pending, device)
                next_url = signed_in["Location"]
            else:
                otp_login(request, device)
                next_url = reverse("accounts:security")
            messages.success(request, _("Двофакторну автентифікацію налаштовано."))
            response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url})
            if signed_in is not None:
                lockout.remember_browser(request, response, user.username)
            return response
    return render(request, "accounts/otp_enrol.html", {
        "form": form, "qr": twofactor.qr_svg_data_uri(device), "secret": twofactor.secret_base32(device),
        "replacing": replacing, "signed_in": fully_signed_in,
    }, status=400 if form.errors else 200)


@access.permission_required("account.self")
def recovery_codes(request):
    """New recovery codes (the old ones stop working) after a code from the authenticator or an unused code."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.renew_recovery_codes(user=request.user, current=form.cleaned_data["otp"],
                                                   request=request)
        except HromadaError as exc:
            form.add_error("otp", exc.message)
        else:
            return render(request, "accounts/recovery_codes.html", {
                "codes": codes, "next_url": reverse("accounts:security")})
    return render(request, "accounts/recovery_renew.html", {"form": form}, status=400 if form.errors else 200)


@access.permission_required("account.self")
def security(request):
    """The user's account security page: 2FA state, password change link, API tokens."""
    return render(request, "accounts/security.html", {
        "has_2fa": twofactor.has_confirmed_device(request.user),
        "needs_2fa": request.user.role in twofactor.TWO_FACTOR_ROLES,
        "recovery_left": twofactor.recovery_codes_left(request.user),
        "tokens": services.own_tokens(user=request.user)[:100],
    })


@access.permission_required("account.self")
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(user=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"], request=request)
        except HromadaError as exc:
            form.add_error("old_password" if exc.code == "wrong_password" else "new_password1", exc.message)
        else:
            update_session_auth_hash(request, request.user)  # stay signed in here; other sessions end
            messages.success(request, _("Пароль змінено. Усі API-токени відкликано."))
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


@access.permission_required("account.self")
@require_POST
def token_revoke(request, token_id: int):
    try:
        services.revoke_own_token(user=request.user, token_id=token_id, request=request)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Токен відкликано."))
    return redirect("accounts:security")
