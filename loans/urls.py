from django.urls import path

from loans import apis, views

app_name = "loans"

api_urlpatterns = [
    path("schedule-preview/", apis.SchedulePreviewApi.as_view(), name="schedule-preview"),
    path("products/", apis.ProductListApi.as_view(), name="products"),
    path("credit-lines/", apis.CreditLineListApi.as_view(), name="credit-lines"),
    path("applications/", apis.ApplicationListCreateApi.as_view(), name="applications"),
    path(
        "applications/preview/",
        apis.ApplicationPreviewApi.as_view(),
        name="application-preview",
    ),
    path(
        "applications/contract/",
        apis.ApplicationContractApi.as_view(),
        name="application-contract",
    ),
    path(
        "applications/<uuid:public_id>/",
        apis.ApplicationDetailApi.as_view(),
        name="application",
    ),
    path(
        "applications/<uuid:public_id>/cancel/",
        apis.ApplicationCancelApi.as_view(),
        name="application-cancel",
    ),
    path("loans/", apis.LoanListApi.as_view(), name="loans"),
    path("loans/<uuid:public_id>/", apis.LoanDetailApi.as_view(), name="loan"),
    # The caller's profile: completing it grants the credit line (loans.apis.profile).
    path("me/profile/", apis.ProfileApi.as_view(), name="profile"),
]

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("home/", views.home, name="home"),
    path("credit-line/", views.credit_line, name="credit-line"),
    path("apply/", views.apply, name="apply"),
    path("apply/contract/", views.apply_contract, name="apply-contract"),
    path("applications/<uuid:public_id>/", views.application_detail, name="application"),
    path(
        "applications/<uuid:public_id>/contract/",
        views.application_contract,
        name="application-contract",
    ),
    path("loans/<uuid:public_id>/", views.loan_detail, name="loan"),
    # The accounts profile page: completing it grants the credit line (loans.views.profile).
    path("accounts/profile/", views.profile, name="profile"),
]
