"""Filters of the back office's pages."""

from __future__ import annotations

from django import template

from accounts.identity import phone_mask
from accounts.models import User
from common.record_texts import record_text
from notifications.kinds import notice_render
from notifications.models import Notification

register = template.Library()


@register.filter(name="record_text")
def record_text_shown(value: str) -> str:
    """A sentence a service stored, in the admin's language."""
    return record_text(value or "")


@register.filter
def notice_text(notice: Notification) -> str:
    """A notice's text as the borrower read it, in the admin's language."""
    return notice_render(notice).body


@register.filter
def person(user: User | None) -> str:
    """Who did something: staff by name, a borrower masked (a mobile number as username)."""
    if user is None:
        return "–"
    if not user.is_staff and user.username == user.phone:
        return phone_mask(user.phone)
    return user.username
