from django.urls import path

from . import views

URL_PREFIX = "social/"
app_name = "social"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("status/", views.status_check, name="status"),
    path("providers/", views.provider_list, name="providers"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/assessment/", views.assessment, name="assessment"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/deliveries/", views.delivery, name="delivery"),
    path("<int:pk>/referrals/", views.referral, name="referral"),
    path("<int:pk>/suspend/", views.suspend, name="suspend"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/close/", views.close, name="close"),
]
