from django.urls import path

from . import views

URL_PREFIX = "front/offline/"
app_name = "offline"
urlpatterns = [
    path("", views.intake_page, name="intake"),
    path("sw.js", views.service_worker, name="sw"),
]
