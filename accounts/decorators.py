"""Borrower-only pages: anonymous visitors are sent to the login page, staff get a 403
page pointing them to the back office."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User

P = ParamSpec("P")


def _refusal(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not isinstance(user, User) or not user.is_borrower:
        return render(request, "accounts/not_a_borrower.html", status=403)
    return None


def borrower_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Decorate a page view that only borrowers may see."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapper


class BorrowerRequiredMixin:
    """The same rule for class-based views (put it first among the bases)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response
