"""The OpenAPI schema's view of the errors every operation can answer.

Each API view declares its own success and business-error responses with
`@extend_schema(responses=...)`. The answers that come from the platform around it are
added here, so the schema lists every status a client can really get, each with the
`{"detail", "code"}` body: 400 (a request that cannot be read), 401 and 403 (not signed
in, not allowed), 404 (an id in the path that names nothing of the caller's), 413 and 415
(a body too large or of another type), 429 (throttled)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class AutoSchema(SpectacularAutoSchema):
    # `_get_response_bodies` is where drf-spectacular turns the declared responses (the
    # view's own, or an `@extend_schema` override, which replaces
    # `get_response_serializers`) into the operation's responses; the platform's errors are
    # added after it, whatever was declared.
    def _get_response_bodies(self, direction: Any = "response") -> Any:
        from common.api import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code in self._platform_error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    ErrorSerializer, str(code), direction=direction
                )
        return responses

    def _platform_error_codes(self) -> list[int]:
        view = self.view
        codes = [400]
        if any(permission is not AllowAny for permission in view.permission_classes):
            codes += [401, 403]
        if "{" in self.path:
            codes.append(404)
        if self.method in _BODY_METHODS:
            codes += [413, 415]
        throttled = bool(view.throttle_classes) or (
            type(view).get_throttles is not APIView.get_throttles
        )
        if throttled:
            codes.append(429)
        return codes
