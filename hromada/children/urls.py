from django.urls import path

from . import views

URL_PREFIX = "children/"
app_name = "children"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/assessment/start/", views.start_assessment, name="start_assessment"),
    path("<int:pk>/assessment/", views.complete_assessment, name="complete_assessment"),
    path("<int:pk>/decision/", views.decide, name="decide"),
    path("<int:pk>/plan/", views.approve_plan, name="approve_plan"),
    path("<int:pk>/measures/", views.add_measure, name="add_measure"),
    path("<int:pk>/measures/<int:measure_id>/done/", views.measure_done, name="measure_done"),
    path("<int:pk>/reviews/", views.review, name="review"),
    path("<int:pk>/referrals/", views.referral, name="referral"),
    path("<int:pk>/referrals/<int:referral_id>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/close/", views.close, name="close"),
]
