from django.urls import path

from . import views

URL_PREFIX = "billing/"
app_name = "billing"
urlpatterns = [
    path("", views.periods, name="periods"),
    path("run/", views.run, name="run"),
    path("runs/<uuid:run_id>/", views.run_progress, name="run_progress"),
    path("budget/", views.budget, name="budget"),
    path("tariffs/", views.tariffs, name="tariffs"),
    path("<str:period>/", views.period_detail, name="period"),
    path("<str:period>/close/", views.close, name="close"),
    path("<str:period>/hromadas/<str:code>/", views.items, name="items"),
    path("<str:period>/hromadas/<str:code>/exclusion/", views.exclusion, name="exclusion"),
]
