from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import urls as accounts_urls
from common.docs import DocsView, SchemaView
from loans import urls as loans_urls
from repayments import urls as repayments_urls
from verification import urls as verification_urls

api_v1 = [
    path("", include((accounts_urls.api_urlpatterns, "accounts-api"))),
    path("", include((loans_urls.api_urlpatterns, "loans-api"))),
    path("", include((verification_urls.api_urlpatterns, "verification-api"))),
    path("", include((repayments_urls.api_urlpatterns, "repayments-api"))),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="loans:calculator", permanent=False)),
    path("", include("loans.urls")),
    path("", include("verification.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
]

# Under /api/ Django's own error answers use the API's `{"detail", "code"}` format.
handler400 = "common.api.bad_request"
handler403 = "common.api.permission_denied"
handler404 = "common.api.page_not_found"
handler500 = "common.api.server_error"
