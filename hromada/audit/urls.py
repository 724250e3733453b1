from django.urls import path

from . import views

URL_PREFIX = "audit/"
app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("verify/", views.verify, name="verify"),
]
