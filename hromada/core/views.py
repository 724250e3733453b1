from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from hromada.accounts.access import scope_of


@login_required
def home(request):
    """A home page per role: the role's sections as cards, plus its scope."""
    user = request.user
    return render(request, "core/home.html", {"scope": scope_of(user), "role_template": f"core/home/{user.role}.html"})


def healthz(request):
    return JsonResponse({"status": "ok"})
