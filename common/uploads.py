"""Limits on what a request may send, applied before its body is read.

- `RequestBodyLimitMiddleware` refuses any request whose declared `Content-Length` is above
  `UPLOADS["MAX_REQUEST_BYTES"]` (413), before a byte of the body is read. Django reads at
  most the declared length, so nothing larger is ever buffered; inside that, files above
  `FILE_UPLOAD_MAX_MEMORY_SIZE` go to a temporary file and other fields are capped by
  `DATA_UPLOAD_MAX_MEMORY_SIZE`.
- `BodyLimitMixin` gives an API view its own, tighter limit (`max_body_bytes`).
- `UploadRateThrottle` and `UploadAddressThrottle` throttle uploads per borrower and per
  client address, on the shared cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from common.api import api_error, is_api_request
from common.request_context import client_ip


def upload_limits() -> dict[str, Any]:
    return dict(settings.UPLOADS)


def declared_length(request: HttpRequest) -> int | None:
    """The body length the client declared; None when it declared none (Django then reads
    no body at all). A malformed value raises ValueError."""
    raw = request.META.get("CONTENT_LENGTH") or ""
    if raw == "":
        return None
    if not raw.isascii() or not raw.isdigit():
        raise ValueError(raw)
    return int(raw)


class RequestBodyLimitMiddleware:
    """Refuse a body that declares more than UPLOADS["MAX_REQUEST_BYTES"] with 413 (JSON
    under /api/, a short page elsewhere), and a malformed Content-Length with 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(upload_limits()["MAX_REQUEST_BYTES"])
        try:
            length = declared_length(request)
        except ValueError:
            return self._refuse(request, 400, "bad_content_length")
        if length is not None and length > limit:
            return self._refuse(request, 413, "request_too_large")
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, status_code: int, code: str) -> HttpResponse:
        if code == "request_too_large":
            detail = _("The request is too large.")
        else:
            detail = _("The request's Content-Length is not a number.")
        if is_api_request(request):
            response: HttpResponse = api_error(str(detail), code, status_code)
        else:
            response = HttpResponse(detail, status=status_code, content_type="text/plain")
        # The body was not read: the connection must not be reused for another request.
        response["Connection"] = "close"
        return response


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class BodyLimitMixin(APIView):
    """An API view that accepts at most `max_body_bytes` (a setting name in UPLOADS or a
    number), checked on the declared length before the body is parsed."""

    max_body_bytes: str | int = "MAX_REQUEST_BYTES"

    def body_limit(self) -> int:
        limit = self.max_body_bytes
        return int(upload_limits()[limit]) if isinstance(limit, str) else int(limit)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        length = declared_length(request._request)
        limit = self.body_limit()
        if length is not None and length > limit:
            raise RequestTooLarge(f"The request body is too large: at most {limit} bytes.")


class _LiveRateThrottle(SimpleRateThrottle):
    """Reads its rate from the current REST_FRAMEWORK settings on every request (DRF's own
    throttles read it once, at import), so a deployment or a test can change it."""

    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        rate = rates.get(self.scope) if self.scope else None
        return str(rate) if rate else None


class UploadRateThrottle(_LiveRateThrottle):
    """Per borrower: `<scope>` (e.g. "face_enrolment")."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class UploadAddressThrottle(_LiveRateThrottle):
    """Per client address (as `common.request_context.client_ip` sees it, behind the
    trusted proxies), whoever is signed in: `<scope>` (e.g. "face_enrolment_ip")."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        address = client_ip(request._request)
        if not address:
            return None
        return self.cache_format % {"scope": self.scope, "ident": address}


def upload_throttles(scope: str) -> list[type[SimpleRateThrottle]]:
    """The throttles of one kind of upload: per borrower (`scope`) and per address
    (`scope_ip`)."""
    per_user = type(f"{scope.title()}Throttle", (UploadRateThrottle,), {"scope": scope})
    per_address = type(
        f"{scope.title()}AddressThrottle", (UploadAddressThrottle,), {"scope": f"{scope}_ip"}
    )
    return [per_user, per_address]
