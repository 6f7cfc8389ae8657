from django.urls import path

from yizhan.orgs.accounts import views as account_views

app_name = "account"

# Under /account/ (AccountSecurityMiddleware lets these through while it holds a user back).
urlpatterns = [
    path("password/", account_views.password_change, name="password_change"),
    path("2fa/", account_views.otp_verify, name="otp_verify"),
    path("2fa/setup/", account_views.otp_setup, name="otp_setup"),
    path("2fa/recovery-codes/", account_views.recovery_codes, name="recovery_codes"),
]
