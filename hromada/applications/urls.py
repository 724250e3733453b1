from django.urls import path

from . import views

URL_PREFIX = "front/"
app_name = "front"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("returned/", views.returned_list, name="returned"),
    path("results/", views.results_list, name="results"),
    path("new/", views.new_service, name="new"),
    path("new/<slug:code>/", views.new_applicant, name="new_applicant"),
    path("<int:pk>/", views.card, name="card"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/draft/", views.save_draft, name="save_draft"),
    path("<int:pk>/details/", views.save_details, name="save_details"),
    path("<int:pk>/participants/", views.participants, name="participants"),
    path("<int:pk>/documents/<slug:code>/upload/", views.upload, name="upload"),
    path("<int:pk>/documents/<int:doc_id>/", views.download, name="download"),
    path("<int:pk>/documents/<int:doc_id>/remove/", views.remove_document, name="remove_document"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("<int:pk>/decision.pdf", views.decision_document, name="decision_pdf"),
]
