from django.urls import path

from . import views

URL_PREFIX = "monitoring/"
app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.refresh, name="refresh"),
    path("refresh/<str:job_id>/", views.refresh_progress, name="refresh_progress"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/<str:code>/", views.onboarding_hromada, name="onboarding_hromada"),
    path("workplaces/", views.workplaces, name="workplaces"),
    path("workplaces/<str:code>/", views.workplaces_hromada, name="workplaces_hromada"),
    path("social/", views.social, name="social"),
    path("social/<str:level>/<str:code>/", views.social_area, name="social_area"),
    path("<str:level>/<str:code>/", views.area, name="area"),
]
