from django.urls import path

from . import views

URL_PREFIX = ""
app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
