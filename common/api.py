"""API plumbing shared by every app: one error format, `{"detail": str, "code": str}`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.exceptions import DomainError
from common.money import parse_decimal


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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"detail": exc.detail, "code": exc.code}, status=exc.status_code)
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


class DecimalJSONParser(JSONParser):
    """JSON numbers are parsed as Decimal, never float: 0.1 stays exactly 0.1."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        try:
            return json.loads(stream.read().decode(encoding), parse_float=Decimal)
        except ValueError as exc:
            raise exceptions.ParseError(f"The request body is not valid JSON: {exc}") from exc


@extend_schema_field({"type": "string", "format": "decimal", "example": "1000.00"})
class DecimalStringField(serializers.Field[Decimal, Decimal, str, Any]):
    """A decimal written as a string ("10000.00"); a JSON number is accepted only if it
    parses exactly. Errors carry specific codes: `invalid`, `too_many_places`,
    `not_positive`, `too_large`."""

    default_error_messages = {
        "invalid": _('must be a number written as a string, e.g. "100.00".'),
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
        **kwargs: Any,
    ) -> None:
        self.places = places
        self.maximum = maximum
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            value = parse_decimal(data)
        except ValueError:
            self.fail("invalid")
        exponent = value.as_tuple().exponent
        if (
            isinstance(exponent, int)
            and -exponent > self.places
            and value != round(value, self.places)
        ):
            self.fail("too_many_places", places=self.places)
        if value < 0 and self.allow_zero:
            self.fail("negative")
        if value <= 0 and not self.allow_zero:
            self.fail("not_positive")
        if self.maximum is not None and value > self.maximum:
            self.fail("too_large", maximum=self.maximum)
        return value

    def to_representation(self, value: Decimal) -> str:
        return str(value)
