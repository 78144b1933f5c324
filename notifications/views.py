"""The borrower's notices page: the latest notices, the unread ones marked new; opening
the page reads them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.decorators import borrower_required
from accounts.models import User
from notifications.kinds import notice_render
from notifications.selectors import notifications_for_user
from notifications.services import notifications_mark_read


@borrower_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # borrower_required guarantees it
    notices = notifications_for_user(user=user)
    rows = [(notice, notice_render(notice)) for notice in notices]
    # Read once shown: the list still marks them new, the top bar counts none.
    unread = [str(notice.public_id) for notice in notices if notice.read_at is None]
    if unread:
        notifications_mark_read(user=user, now=timezone.now(), public_ids=unread)
    return render(request, "notifications/list.html", {"rows": rows})
