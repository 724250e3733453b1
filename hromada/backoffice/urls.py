from django.urls import path

from . import views

URL_PREFIX = "back/"
app_name = "back"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("board/", views.board, name="board"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/take/", views.take, name="take"),
    path("cases/<int:pk>/assign/", views.assign, name="assign"),
    path("cases/<int:pk>/return/", views.return_case, name="return"),
    path("cases/<int:pk>/decide/", views.decide, name="decide"),
    path("cases/<int:pk>/calculate/", views.calculate, name="calculate"),
    path("cases/<int:pk>/documents/<int:doc_id>/", views.document, name="document"),
]
