from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from hromada.core.registry import scope_of

from .navigation import home_panels


@login_required
def home(request):
    """A home page per role: the apps' panels for the role (the day's worklist), the role's sections as cards."""
    user = request.user
    panels = [html for html in (panel(request) for panel in home_panels()) if html]
    return render(request, "core/home.html", {"scope": scope_of(user), "role_template": f"core/home/{user.role}.html",
                                              "panels": panels})


def healthz(request):
    return JsonResponse({"status": "ok"})
