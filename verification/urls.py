from django.urls import path

from verification import apis, views

app_name = "verification"

api_urlpatterns = [
    path("me/face-enrolment/", apis.FaceEnrolmentApi.as_view(), name="enrolment"),
    path("me/face-data/", apis.FaceDataApi.as_view(), name="face-data"),
    # Withdrawing the consent erases the face data, so the consent endpoint is served here.
    path("me/biometric-consent/", apis.BiometricConsentApi.as_view(), name="biometric-consent"),
    path(
        "applications/<uuid:public_id>/face-check/",
        apis.FaceCheckStartApi.as_view(),
        name="start",
    ),
    path(
        "applications/<uuid:public_id>/manual-review/",
        apis.ManualReviewApi.as_view(),
        name="manual-review",
    ),
    path("face-checks/hints/", apis.FaceCaptureHintApi.as_view(), name="hints"),
    path("face-checks/<uuid:public_id>/", apis.FaceCheckDetailApi.as_view(), name="session"),
    path(
        "face-checks/<uuid:public_id>/attempts/",
        apis.FaceCheckAttemptApi.as_view(),
        name="attempts",
    ),
]

urlpatterns = [
    path("face/enrol/", views.enrol, name="enrol"),
    path("applications/<uuid:public_id>/face-check/", views.face_check, name="face-check"),
    path(
        "applications/<uuid:public_id>/manual-review/",
        views.manual_review,
        name="manual-review",
    ),
    # On the accounts profile page; withdrawing also erases the face data.
    path(
        "accounts/profile/biometric-consent/withdraw/",
        views.biometric_consent_withdraw,
        name="biometric-consent-withdraw",
    ),
]
