"""API plumbing shared by every app: one error format, `{"detail": str, "code": str}`,
the decimal input field, and Django's own error answers in that format under /api/. The
JSON parser is in `common.parsers` (DRF imports it while building `APIView`, so it must not
import `rest_framework.views` itself)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.exceptions import DomainError
from common.inputs import DecimalInputError, decimal_parse
from common.money import MONEY_MAX_DIGITS
from common.parsers import DecimalJSONParser, json_nesting_depth


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What is wrong, for people.")
    code = serializers.CharField(help_text="A stable machine-readable code.")


def _first_error(detail: Any, path: tuple[str, ...] = ()) -> tuple[tuple[str, ...], Any]:
    """The first leaf of a DRF error tree, with the field path that leads to it."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = () if key == "non_field_errors" else (str(key),)
            return _first_error(value, path + field)
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], path)
    return path, detail


def _request_refusal(exc: SuspiciousOperation) -> Response:
    """What Django refuses while reading a request body, in the API's format (Django would
    answer with its HTML error page)."""
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large.", "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFilesSent):
        detail, code = "The request has too many files.", "too_many_files"
    elif isinstance(exc, TooManyFieldsSent):
        detail, code = "The request has too many fields.", "too_many_fields"
    else:
        detail, code = "The request could not be read.", "bad_request"
    return Response({"detail": detail, "code": code}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"detail": exc.detail, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, SuspiciousOperation):
        return _request_refusal(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        path, leaf = _first_error(exc.detail)
        message = str(leaf)
        code = getattr(leaf, "code", "invalid") or "invalid"
        field = ".".join(path)
        response.data = {
            "detail": f"{field}: {message}" if field else message,
            "code": f"{path[-1]}_{code}" if path else str(code),
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail),
            "code": codes if isinstance(codes, str) else exc.default_code,
        }
    return response


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "example": "1000.00",
        "description": "ASCII digits, an optional minus sign and point: no exponent.",
    }
)
class DecimalStringField(serializers.Field[Decimal, Decimal, str, Any]):
    """A decimal written as a string of ASCII digits with at most `places` places
    ("10000.00"); a JSON number is accepted only if its plain digits are (no exponent).
    Full-width digits, underscores, exponents, NaN and infinities are refused. Errors carry
    specific codes: `invalid`, `too_many_places`, `not_positive`, `negative`, `too_large`."""

    default_error_messages = {
        "invalid": _('must be a number written as a string of digits, e.g. "100.00".'),
        "too_many_places": _("must have at most {places} decimal places."),
        "not_positive": _("must be greater than zero."),
        "negative": _("cannot be negative."),
        "too_large": _("must be at most {maximum}."),
    }

    def __init__(
        self,
        *,
        places: int,
        maximum: Decimal | None = None,
        allow_zero: bool = False,
        max_digits: int = MONEY_MAX_DIGITS,
        **kwargs: Any,
    ) -> None:
        self.places = places
        self.maximum = maximum
        self.allow_zero = allow_zero
        self.max_digits = max(max_digits, places + 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            value = decimal_parse(data, places=self.places, max_digits=self.max_digits)
        except DecimalInputError as exc:
            if exc.code == "too_many_places":
                self.fail("too_many_places", places=self.places)
            if exc.code == "too_many_digits":
                self.fail("too_large", maximum=self.maximum or self._largest())
            self.fail("invalid")
        if value < 0 and self.allow_zero:
            self.fail("negative")
        if value <= 0 and not self.allow_zero:
            self.fail("not_positive")
        if self.maximum is not None and value > self.maximum:
            self.fail("too_large", maximum=self.maximum)
        return value

    def _largest(self) -> Decimal:
        digits = self.max_digits - self.places
        return Decimal("9" * digits + ("." + "9" * self.places if self.places else ""))

    def to_representation(self, value: Decimal) -> str:
        return str(value)


# --- Django's own error answers, in the API's format under /api/ ------------------------
# A URL that matches no route (e.g. a non-UUID id: `applications/<uuid:public_id>/`), a
# request Django refuses before any view runs, or an unexpected failure would otherwise get
# Django's HTML pages. Pages outside /api/ keep them.

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(detail: str, code: str, status_code: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, SuspiciousOperation):
        refusal = _request_refusal(exception)
        return api_error(
            str(refusal.data["detail"]), str(refusal.data["code"]), refusal.status_code
        )
    return api_error("The request could not be read.", "bad_request", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.permission_denied(request, exception)
    return api_error("You do not have permission to perform this action.", "permission_denied", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return api_error("Not found.", "not_found", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api_request(request):
        return defaults.server_error(request)
    return api_error("Something went wrong on our side.", "server_error", 500)


__all__ = [
    "DecimalJSONParser",
    "DecimalStringField",
    "ErrorSerializer",
    "api_error",
    "exception_handler",
    "is_api_request",
    "json_nesting_depth",
]
