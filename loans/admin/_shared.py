"""What the loans admin modules share."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


def staff_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin only lets staff in
    return user
