"""Root URLs. Each app with a ``urls.py`` is mounted under its ``URL_PREFIX``; the API under /api/v1/."""
from django.contrib import admin
from django.urls import include, path

from hromada.core.admin_site import restrict_admin_to_sysadmins
from hromada.core.api import api
from hromada.core.discovery import app_modules

restrict_admin_to_sysadmins(admin.site)

# The database's outage is a 503 with a code (hromada.core.middleware), not a 500 page.
handler500 = "hromada.core.middleware.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

for config, module in app_modules("urls"):
    urlpatterns.append(path(getattr(module, "URL_PREFIX", f"{config.label}/"), include(module)))
