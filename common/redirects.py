"""Where a page may send the borrower next: only to a path on this site."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme

MAX_NEXT_LENGTH = 2000


def same_site_path(candidate: str | None) -> str | None:
    """`candidate` when it is a path on this site (`/applications/.../face-check/`), else
    None: never another site, a scheme (`https:`, `javascript:`), a protocol-relative
    address (`//host`, `/\\host`), control characters, or an overlong value."""
    if not candidate or len(candidate) > MAX_NEXT_LENGTH:
        return None
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return None
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in candidate):
        return None
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts=set()):
        return None
    return candidate
