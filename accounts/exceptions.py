"""Errors of the accounts services. Each names the input field it is about, so a page can
show the message next to that field; the API renders them as `{"detail", "code"}` like
every other `DomainError`."""

from __future__ import annotations

from common.exceptions import Conflict, DomainError, InvalidInput, NotFound


class FieldError(InvalidInput):
    """The value of one input field is wrong (400)."""

    def __init__(self, detail: str, code: str, *, field: str) -> None:
        super().__init__(detail, code)
        self.field = field


class FieldConflict(Conflict):
    """The value of one input field clashes with what is stored (409): it belongs to
    another account, or it may no longer be changed."""

    def __init__(self, detail: str, code: str, *, field: str) -> None:
        super().__init__(detail, code)
        self.field = field


class NotABorrower(DomainError):
    """Staff accounts use the back office, not the borrower pages and API (403)."""

    status_code = 403
    default_code = "not_a_borrower"


class NothingToWithdraw(NotFound):
    default_code = "consent_not_active"


def error_field(exc: DomainError) -> str | None:
    """The input field an error is about, if any."""
    field = getattr(exc, "field", None)
    return field if isinstance(field, str) else None
