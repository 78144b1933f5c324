from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from accounts import urls as accounts_urls
from accounts.views import language_set
from common.docs import DocsView, SchemaView
from loans import urls as loans_urls
from notifications import urls as notifications_urls
from repayments import urls as repayments_urls
from verification import urls as verification_urls

api_v1 = [
    path("", include((accounts_urls.api_urlpatterns, "accounts-api"))),
    path("", include((loans_urls.api_urlpatterns, "loans-api"))),
    path("", include((verification_urls.api_urlpatterns, "verification-api"))),
    path("", include((repayments_urls.api_urlpatterns, "repayments-api"))),
    path("", include((notifications_urls.api_urlpatterns, "notifications-api"))),
]

# The page scripts' translations (the djangojs domain of our own locale/ only). It changes
# only on a deployment: kept for an hour (pages ask for it with their language in the
# query, so a switch of language never gets the other one from the browser's cache).
javascript_catalog = cache_page(3600)(JavaScriptCatalog.as_view(packages=["common"]))

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="loans:calculator", permanent=False)),
    path("", include("loans.urls")),
    path("", include("verification.urls")),
    path("", include("notifications.urls")),
    path("", include("repayments.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # Django's language switch, remembering a borrower's choice on the account.
    path("i18n/setlang/", language_set, name="set_language"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
]

# Under /api/ Django's own error answers use the API's `{"detail", "code"}` format.
handler400 = "common.api.bad_request"
handler403 = "common.api.permission_denied"
handler404 = "common.api.page_not_found"
handler500 = "common.api.server_error"
