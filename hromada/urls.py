"""Root URLs. Each app with a ``urls.py`` is mounted under its ``URL_PREFIX``; the API under /api/v1/."""
from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from hromada.core.admin_site import restrict_admin_to_sysadmins
from hromada.core.api import api

restrict_admin_to_sysadmins(admin.site)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

for config in apps.get_app_configs():
    if not config.name.startswith("hromada."):
        continue
    try:
        module = import_module(f"{config.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name == f"{config.name}.urls":
            continue
        raise
    urlpatterns.append(path(getattr(module, "URL_PREFIX", f"{config.label}/"), include(module)))
