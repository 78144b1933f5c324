"""Sign-in with a phone number or an e-mail address (borrowers) or a username (staff)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import User


def normalize_identifier(identifier: str) -> str:
    """Phone numbers lose spaces, dashes and a leading +86; e-mail addresses are lower-cased.
    Full-width characters (the digits, at sign and plus of a Chinese input method) are read as their
    ASCII forms (NFKC), so one number or address is one identity however it was typed."""
    value = unicodedata.normalize("NFKC", identifier).strip()
    if "@" in value:
        return value.lower()
    compact = value.replace(" ", "").replace("-", "")
    if compact.startswith("+86"):
        compact = compact[3:]
    return compact


class PhoneOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        identifier = normalize_identifier(username)
        users = list(
            User.objects.filter(
                Q(username=username) | Q(phone=identifier) | Q(email__iexact=identifier)
            ).order_by("pk")[:2]
        )
        if len(users) != 1:
            # Run the hasher anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
