"""The OpenAPI schema and its interactive docs (Swagger UI), open to everyone or, where
settings.API_DOCS_PUBLIC is off (production), to signed-in staff only. The Swagger page
loads its script from a URL of its own, so the Content-Security-Policy needs no inline
script."""

from __future__ import annotations

from typing import Any

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAdminUser


def _docs_permissions() -> list[BasePermission]:
    if settings.API_DOCS_PUBLIC:
        return [AllowAny()]
    return [IsAdminUser()]


class SchemaView(SpectacularAPIView):
    authentication_classes = [SessionAuthentication, TokenAuthentication]

    def get_permissions(self) -> Any:
        return _docs_permissions()


# Swagger UI's page carries three lines of inline CSS; scripts stay external.
@method_decorator(csp_update({"style-src": [UNSAFE_INLINE]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = [SessionAuthentication, TokenAuthentication]

    def get_permissions(self) -> Any:
        return _docs_permissions()
