from django.contrib.auth.views import LogoutView, PasswordResetCompleteView, PasswordResetDoneView
from django.urls import URLPattern, path

from accounts import apis, views

app_name = "accounts"

# The profile page and /me/profile/ are served by loans (completing the profile grants the
# credit line); withdrawing the biometric consent and /me/biometric-consent/ by
# verification (withdrawal erases the face data). Their paths are unchanged.

urlpatterns: list[URLPattern] = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password"),
    path("password/reset/", views.password_reset_by_phone, name="password-reset"),
    path(
        "password/reset/email/",
        views.PasswordResetByEmailView.as_view(),
        name="password-reset-email",
    ),
    path(
        "password/reset/email/sent/",
        PasswordResetDoneView.as_view(template_name="accounts/password_reset_email_sent.html"),
        name="password-reset-email-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("agreements/<slug:document>/", views.agreement_detail, name="agreement"),
    path("profile/phone/", views.phone_change, name="phone"),
    path("profile/bank-card/", views.bank_card_change, name="bank-card"),
    path(
        "profile/biometric-consent/",
        views.biometric_consent_grant,
        name="biometric-consent",
    ),
]

# Mounted under /api/v1/ with the namespace "accounts-api".
api_urlpatterns: list[URLPattern] = [
    path("auth/signup/", apis.SignupApi.as_view(), name="signup"),
    path("auth/login/", apis.LoginApi.as_view(), name="login"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="logout"),
    path("auth/password/", apis.PasswordChangeApi.as_view(), name="password"),
    path("auth/phone-codes/", apis.PhoneCodeApi.as_view(), name="phone-codes"),
    path("auth/password-reset/", apis.PasswordResetApi.as_view(), name="password-reset"),
]
