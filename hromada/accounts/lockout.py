from django.http import JsonResponse
from django.shortcuts import render


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """django-axes lock-out: JSON with a code for the API, a Ukrainian page for people."""
    message = "Забагато невдалих спроб входу. Вхід тимчасово заблоковано."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "account_locked", "message": message}, status=429)
    return render(request, "accounts/locked_out.html", status=429)
