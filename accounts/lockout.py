"""Answering a login that django-axes has locked out: the page says how long to wait, the
API answers `{"detail", "code": "locked_out"}` with status 429.

The borrower login page and API answer lockouts themselves (`lockout_answer`).
`lockout_response` is the same answer as an `AXES_LOCKOUT_CALLABLE`, for every other
login axes watches (the admin's)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LOCKED_OUT_CODE = "locked_out"


def lockout_remaining(request: HttpRequest, credentials: dict[str, Any] | None) -> dt.timedelta:
    """How long until the lockout ends: the cool-off counts from the latest failure that
    matches this request (username and IP). The whole cool-off if that is unknown."""
    cool_off = get_cool_off(request) or dt.timedelta(hours=1)
    handler = AxesProxyHandler.get_implementation()
    get_user_attempts = getattr(handler, "get_user_attempts", None)
    latest: dt.datetime | None = None
    if get_user_attempts is not None:
        AxesProxyHandler.update_request(request)
        for attempts in get_user_attempts(request, credentials):
            candidate = attempts.aggregate(latest=Max("attempt_time"))["latest"]
            if candidate is not None and (latest is None or candidate > latest):
                latest = candidate
    if latest is None:
        return cool_off
    remaining: dt.timedelta = latest + cool_off - timezone.now()
    return max(remaining, dt.timedelta(seconds=1))


def lockout_message(remaining: dt.timedelta) -> str:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_json(request: HttpRequest, credentials: dict[str, Any] | None) -> JsonResponse:
    remaining = lockout_remaining(request, credentials)
    response = JsonResponse(
        {"detail": lockout_message(remaining), "code": LOCKED_OUT_CODE}, status=429
    )
    response["Retry-After"] = str(math.ceil(remaining.total_seconds()))
    return response


def lockout_answered(request: HttpRequest) -> None:
    """The view has answered the lockout itself, in the borrower's language and the
    endpoint's format; without this, axes' middleware would replace that answer."""
    request.axes_locked_out = False  # type: ignore[attr-defined]


def is_locked_out(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """`AXES_LOCKOUT_CALLABLE`: JSON for the API, a page for everything else."""
    if request.path.startswith("/api/"):
        return lockout_json(request, credentials)
    remaining = lockout_remaining(request, credentials)
    response = render(
        request,
        "accounts/locked_out.html",
        {"message": lockout_message(remaining), "title": _("Sign-in locked")},
        status=429,
    )
    response["Retry-After"] = str(math.ceil(remaining.total_seconds()))
    return response
