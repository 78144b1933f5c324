"""DRF permission for the borrower API: signed in, and not a staff account."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import User


class IsBorrower(BasePermission):
    """Anonymous callers get 401/403 `not_authenticated` (DRF's rule: 401 when the first
    authentication class can challenge, e.g. a token); staff get 403 `not_a_borrower`."""

    message = _("This is a staff account. Staff use the back office, not the borrower API.")
    code = "not_a_borrower"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return (
            isinstance(user, User) and user.is_authenticated and user.is_active and user.is_borrower
        )
