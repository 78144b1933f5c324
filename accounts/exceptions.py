"""Errors of the accounts services. Each names the input field it is about, so a page can
show the message next to that field; the API renders them as `{"detail", "code"}` like
every other `DomainError`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from common.exceptions import Conflict, DomainError, InvalidInput, NotFound

T = TypeVar("T")


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


class FieldErrors(FieldError):
    """Several input fields are wrong at once (400): `errors` maps each field to its
    messages, so a form shows every one next to its field in one go. `detail` and `code`
    are those of the first error (what the API answers)."""

    def __init__(self, errors: list[FieldError]) -> None:
        if not errors:
            raise ValueError("FieldErrors needs at least one error.")
        super().__init__(errors[0].detail, errors[0].code, field=errors[0].field)
        self.errors = errors


class FieldErrorCollector:
    """Runs checks and keeps every `FieldError` they raise, so the caller can report them
    all together (`raise_any`)."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def check(self, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except FieldErrors as exc:
            self.errors.extend(exc.errors)
        except FieldError as exc:
            self.errors.append(exc)
        return None

    def add(self, error: FieldError) -> None:
        self.errors.append(error)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)


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


def field_errors(exc: DomainError) -> list[tuple[str | None, str]]:
    """Every (field, message) of an error: several for `FieldErrors`, else one."""
    if isinstance(exc, FieldErrors):
        return [(error.field, error.detail) for error in exc.errors]
    return [(error_field(exc), exc.detail)]
