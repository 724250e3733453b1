from django.urls import path

from . import views

URL_PREFIX = ""
app_name = "notifications"
urlpatterns = [
    path("status/", views.status_page, name="status"),
    path("notifications/failed/", views.failed_list, name="failed"),
    path("notifications/<int:notification_id>/called/", views.called, name="called"),
    path("notifications/consent/<int:application_id>/", views.consent, name="consent"),
]
