"""Sign-in with two-factor authentication, password change and the user's API tokens (thin views)."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from hromada.audit.services import record
from hromada.core.errors import HromadaError, NotFound

from . import services, twofactor
from .forms import OtpForm, PasswordChangeForm
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

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.two_factor_required(user):
            self.request.session.cycle_key()
            self.request.session[PENDING_KEY] = {
                "user_id": user.pk, "backend": user.backend, "at": time.time(),
                "next": _safe_next(self.request, self.get_redirect_url()),
            }
            target = "accounts:otp_verify" if twofactor.has_confirmed_device(user) else "accounts:otp_enrol"
            return redirect(target)
        response = super().form_valid(form)
        record(actor=user, action="account.login", obj=user, request=self.request)
        return response


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_TTL_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


def _finish_login(request, user, pending, device):
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=pending["backend"])
    otp_login(request, device)
    record(actor=user, action="account.login", obj=user, request=request, details={"2fa": True})
    return HttpResponseRedirect(pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL))


def otp_verify(request):
    """Second step: the six-digit code from the authenticator app."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Сеанс входу завершився. Увійдіть ще раз."))
        return redirect("accounts:login")
    if not twofactor.has_confirmed_device(user):
        return redirect("accounts:otp_enrol")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify_code(user=user, token=form.cleaned_data["otp"], request=request)
        except HromadaError as exc:
            form.add_error("otp", exc.message)
        else:
            return _finish_login(request, user, pending, device)
    return render(request, "accounts/otp_verify.html", {"form": form}, status=400 if form.errors else 200)


def otp_enrol(request):
    """First sign-in of a 2FA role (or a signed-in user who wants 2FA): scan the QR code, confirm a code."""
    if request.user.is_authenticated:
        user, pending = request.user, None
    else:
        user, pending = _pending_user(request)
        if user is None:
            return redirect("accounts:login")
    device = twofactor.start_enrolment(user=user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.confirm_enrolment(user=user, token=form.cleaned_data["otp"], request=request)
        except HromadaError as exc:
            form.add_error("otp", exc.message)
        else:
            if pending is not None:
                return _finish_login(request, user, pending, device)
            otp_login(request, device)
            messages.success(request, _("Двофакторну автентифікацію налаштовано."))
            return redirect("accounts:security")
    return render(request, "accounts/otp_enrol.html", {
        "form": form, "qr": twofactor.qr_svg_data_uri(device), "secret": twofactor.secret_base32(device),
    }, status=400 if form.errors else 200)


@login_required
def security(request):
    """The user's account security page: 2FA state, password change link, API tokens."""
    return render(request, "accounts/security.html", {
        "has_2fa": twofactor.has_confirmed_device(request.user),
        "needs_2fa": request.user.role in twofactor.TWO_FACTOR_ROLES,
        "tokens": services.own_tokens(user=request.user)[:100],
    })


@login_required
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


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        services.revoke_own_token(user=request.user, token_id=token_id, request=request)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Токен відкликано."))
    return redirect("accounts:security")
