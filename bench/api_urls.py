"""The platform's URLs plus the ceiling of the API load benchmark: a DRF endpoint behind
the same authentication and permission as every borrower endpoint, that reads
nothing and writes nothing beyond what they cost."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response

from loans.apis.borrower import BorrowerApi


class PingApi(BorrowerApi):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/bench/ping/", PingApi.as_view()),
    path("", include("config.urls")),
]
