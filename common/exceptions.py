"""Domain errors. Services raise these; interfaces translate them (the API to
`{"detail", "code"}` with a 4xx status, pages to a message next to the form)."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule said no. `code` is stable and machine-readable; `detail` is for
    people and says exactly what is wrong."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code


class InvalidInput(DomainError):
    """The request itself is malformed or out of range."""

    default_code = "invalid"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state does not allow it."""

    status_code = 409
    default_code = "conflict"
