from django.urls import path

from . import views

app_name = "registers"
URL_PREFIX = "registers/"

urlpatterns = [
    path("applications/<int:pk>/run/", views.run, name="run"),
    path("checks/<int:pk>/override/", views.override, name="override"),
    path("applications/<int:pk>/income/", views.correct_income, name="correct_income"),
    path("applications/<int:pk>/log.csv", views.log_csv, name="log_csv"),
    path("log/", views.log_page, name="log"),
    path("log.csv", views.log_export, name="log_export"),
    path("offers/", views.offers, name="offers"),
    path("offers/figures/", views.offer_figures, name="offer_figures"),
    path("offers/poll/", views.offers_poll, name="offers_poll"),
    path("offers/<int:pk>/start/", views.offer_start, name="offer_start"),
]
