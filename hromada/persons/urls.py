from django.urls import path

from . import views

URL_PREFIX = "persons/"
app_name = "persons"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("take/", views.take, name="take"),
    path("settlements/", views.settlements, name="settlements"),
    path("<int:pk>/", views.card, name="card"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/access-report/", views.access_report, name="access_report"),
    path("<int:pk>/household/add/", views.household_add, name="household_add"),
    path("<int:pk>/household/<int:member_id>/remove/", views.household_remove, name="household_remove"),
]
