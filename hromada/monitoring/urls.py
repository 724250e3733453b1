from django.urls import path

from . import views

URL_PREFIX = "monitoring/"
app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.refresh, name="refresh"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/<str:code>/", views.onboarding_hromada, name="onboarding_hromada"),
    path("workplaces/", views.workplaces, name="workplaces"),
    path("workplaces/<str:code>/", views.workplaces_hromada, name="workplaces_hromada"),
    path("<str:level>/<str:code>/", views.area, name="area"),
]
