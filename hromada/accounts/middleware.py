"""Enforce two-factor authentication for sessions of the roles that need it.

The web login never creates such a session without a code, but other sign-in paths (the Django admin's
own login form, a session created before the setting was switched on) could. This middleware, placed after
django_otp's OTPMiddleware, ends such unverified sessions: pages redirect to the login, the API answers
401 ``otp_required``.
"""
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext

from . import twofactor


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and twofactor.two_factor_required(user)
                and not (getattr(user, "is_verified", None) and user.is_verified())):
            logout(request)
            if request.path.startswith("/api/"):
                if not request.headers.get("Authorization", "").startswith("Bearer "):
                    return JsonResponse({"code": "otp_required",
                                         "message": gettext("Для цієї ролі потрібна двофакторна автентифікація.")},
                                        status=401)
            else:
                return redirect("accounts:login")
        return self.get_response(request)
