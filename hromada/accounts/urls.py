from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

URL_PREFIX = "accounts/"
app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/otp/", views.otp_verify, name="otp_verify"),
    path("2fa/", views.otp_enrol, name="otp_enrol"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", views.security, name="security"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
