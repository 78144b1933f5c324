from django.urls import path

from repayments import apis, views

app_name = "repayments"

api_urlpatterns = [
    path("loans/<uuid:public_id>/amount-due/", apis.AmountDueApi.as_view(), name="amount-due"),
    path(
        "loans/<uuid:public_id>/repayments/",
        apis.RepaymentListCreateApi.as_view(),
        name="repayments",
    ),
    path("repayments/<uuid:public_id>/", apis.RepaymentDetailApi.as_view(), name="repayment"),
    path(
        "loans/<uuid:public_id>/payoff-quote/", apis.PayoffQuoteApi.as_view(), name="payoff-quote"
    ),
    path("loans/<uuid:public_id>/payoff/", apis.PayoffApi.as_view(), name="payoff"),
    path("loans/<uuid:public_id>/refunds/", apis.RefundCreateApi.as_view(), name="refunds"),
    path(
        "loans/<uuid:public_id>/prepayment-eligibility/",
        apis.PrepaymentEligibilityApi.as_view(),
        name="prepayment-eligibility",
    ),
    path(
        "loans/<uuid:public_id>/prepayment-applications/",
        apis.PrepaymentApplicationCreateApi.as_view(),
        name="prepayment-applications-create",
    ),
    path(
        "prepayment-applications/",
        apis.PrepaymentApplicationListApi.as_view(),
        name="prepayment-applications",
    ),
    path(
        "prepayment-applications/<uuid:public_id>/",
        apis.PrepaymentApplicationDetailApi.as_view(),
        name="prepayment-application",
    ),
    path(
        "prepayment-applications/<uuid:public_id>/cancel/",
        apis.PrepaymentApplicationCancelApi.as_view(),
        name="prepayment-application-cancel",
    ),
]

urlpatterns = [
    path("loans/<uuid:public_id>/pay/", views.pay, name="pay"),
    path("loans/<uuid:public_id>/payoff/", views.payoff, name="payoff"),
    path("loans/<uuid:public_id>/refund/", views.refund, name="refund"),
    path("loans/<uuid:public_id>/prepayment/", views.prepayment, name="prepayment"),
    path("repayments/<uuid:public_id>/", views.receipt, name="receipt"),
    path(
        "prepayment-applications/",
        views.prepayment_applications,
        name="prepayment-applications",
    ),
    path(
        "prepayment-applications/<uuid:public_id>/",
        views.prepayment_application,
        name="prepayment-application",
    ),
    path(
        "prepayment-applications/<uuid:public_id>/documents/<int:document_id>/",
        views.prepayment_document,
        name="prepayment-document",
    ),
]
