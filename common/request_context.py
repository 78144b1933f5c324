"""Who is calling, as far as the risk rules care: the client IP, user agent and a device id.

A browser gets a random device id in a long-lived cookie (set by `DeviceIdMiddleware`); a
mobile app sends its own in the `X-Device-Id` header."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEVICE_COOKIE = "ml_device"
DEVICE_HEADER = "HTTP_X_DEVICE_ID"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_TWO_YEARS = 2 * 365 * 24 * 3600


@dataclass(frozen=True)
class ClientContext:
    ip_address: str
    user_agent: str
    device_id: str


def client_ip(request: HttpRequest) -> str:
    """The caller's address. Behind N trusted reverse proxies (MICROLEND["TRUSTED_PROXIES"])
    it is the N-th address from the right of X-Forwarded-For, the one the outermost trusted
    proxy saw; anything further left could have been written by the client."""
    proxies = int(settings.MICROLEND.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        chain = [
            part.strip()
            for part in (request.META.get("HTTP_X_FORWARDED_FOR", "") or "").split(",")
            if part.strip()
        ]
        if len(chain) >= proxies:
            return chain[-proxies]
    return str(request.META.get("REMOTE_ADDR", "") or "")


def client_context(request: HttpRequest) -> ClientContext:
    device_id = getattr(request, "device_id", "") or _device_id_from(request)
    return ClientContext(
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") or "")[:255],
        device_id=device_id,
    )


def _device_id_from(request: HttpRequest) -> str:
    for candidate in (request.META.get(DEVICE_HEADER, ""), request.COOKIES.get(DEVICE_COOKIE, "")):
        if candidate and _DEVICE_ID.match(candidate):
            return str(candidate)
    return ""


class DeviceIdMiddleware:
    """Gives every browser a stable random device id (a cookie), read by `client_context`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        device_id = _device_id_from(request)
        issued = ""
        if not device_id:
            device_id = issued = uuid.uuid4().hex
        request.device_id = device_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        if issued:
            response.set_cookie(
                DEVICE_COOKIE,
                issued,
                max_age=_TWO_YEARS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
