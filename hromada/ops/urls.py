from django.urls import path

from . import views

URL_PREFIX = ""
app_name = "ops"
urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
    path("ops/", views.status_page, name="status"),
    path("ops/failed/<int:pk>/resolve", views.resolve_failed, name="resolve_failed"),
]
