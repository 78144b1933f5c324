"""Sign-in lockout with django-axes, and the answer to a locked-out login.

What is counted (settings `AXES_*`):
- per account and client address: `axes_account_key` turns whatever identifier was typed
  (mobile number, e-mail address in any case, username) into the one account it names, so
  trying an account by phone, then e-mail, then username adds up on the same counter; a
  stranger at another address has a counter of their own and cannot lock the borrower out
  everywhere;
- per client address, across accounts, with its own, higher limit
  (`AXES_FAILURE_LIMIT_PER_ADDRESS`): `AccountAndAddressHandler`.
The address is `common.request_context.client_ip`, the same the risk rules see.

The answer: the page says how long to wait, the API answers `{"detail", "code":
"locked_out"}` with status 429. The borrower login page and API answer lockouts themselves
(`lockout_answered`). `lockout_response` is the same answer as an `AXES_LOCKOUT_CALLABLE`,
for every other login axes watches (the admin's)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.backends import normalize_identifier
from common.request_context import client_ip

LOCKED_OUT_CODE = "locked_out"
_KEY_MAX_LENGTH = 255


def axes_account_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """`AXES_USERNAME_CALLABLE`: the username of the one account the typed identifier
    names (by username, mobile number or e-mail, as `PhoneOrEmailBackend` finds it), or
    the normalised identifier when it names none, so that unknown names count too."""
    from accounts.models import User

    typed = ""
    if credentials:
        typed = str(credentials.get("username") or "")
    elif request is not None:
        typed = str(request.POST.get("username", "") or request.POST.get("identifier", ""))
    identifier = normalize_identifier(typed)
    if not identifier:
        return ""
    usernames = list(
        User.objects.filter(
            Q(username=typed)
            | Q(username=identifier)
            | Q(phone=identifier)
            | Q(email__iexact=identifier)
        )
        .order_by("pk")
        .values_list("username", flat=True)[:2]
    )
    key = usernames[0] if len(usernames) == 1 else identifier
    return key[:_KEY_MAX_LENGTH]


def axes_client_ip(request: HttpRequest) -> str | None:
    """`AXES_CLIENT_IP_CALLABLE`: the client address behind the trusted proxies."""
    return client_ip(request) or None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler with one limit per lockout parameter: the first entry
    of `AXES_LOCKOUT_PARAMETERS` (account and address) has `AXES_FAILURE_LIMIT`, an
    address alone has `AXES_FAILURE_LIMIT_PER_ADDRESS`. A successful sign-in clears only
    that account's failures at that address, never the address's failures on other
    accounts (or signing in to one's own account would reset an attack on someone else's)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        limit = int(get_failure_limit(request, credentials))
        address_limit = int(getattr(settings, "AXES_FAILURE_LIMIT_PER_ADDRESS", 0) or 0)
        counts = [_failures(attempts) for attempts in self.get_user_attempts(request, credentials)]
        if not counts:
            return 0
        account, *per_address = counts
        if address_limit and any(count >= address_limit for count in per_address):
            # Reported against the account limit, the one number axes compares with.
            return max(account, limit)
        return account

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        attempts_list = self.filter_user_attempts(request, credentials)
        if not attempts_list:
            return 0
        deleted: tuple[int, dict[str, int]] = attempts_list[0].delete()
        return deleted[0]


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


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
