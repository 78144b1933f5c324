"""What a borrower is told when their application moves (DOMAIN.md §4): a face check is
needed, it was approved by staff, refused or expired, the loan is being paid out, or the
payout failed and the loan was cancelled. Called by `application_transition` inside the
transaction of the move, so a notice exists exactly when the move committed; the e-mail
and text message leave after the commit (`notifications`).

Approval by system review is not announced on its own: the payout follows at once and
its notice says the loan was approved."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from accounts.models import BorrowerProfile
from loans.models import ApplicationEvent, ApplicationStatus, LoanApplication
from notifications.models import Notification
from notifications.services import notification_send

S = ApplicationStatus
Kind = Notification.Kind


def _kind(from_status: str, to_status: str, source: str) -> str | None:
    if to_status == S.FACE_CHECK_REQUIRED:
        return Kind.FACE_CHECK_NEEDED
    if to_status == S.APPROVED and source == ApplicationEvent.Source.STAFF:
        return Kind.APPLICATION_APPROVED
    if to_status == S.REFUSED:
        return Kind.APPLICATION_REFUSED
    if to_status == S.EXPIRED:
        return Kind.APPLICATION_EXPIRED
    if to_status == S.DISBURSED:
        return Kind.LOAN_DISBURSED
    if to_status == S.CANCELLED and from_status == S.DISBURSED:
        return Kind.PAYOUT_FAILED
    return None


def application_notify(
    application: LoanApplication, *, from_status: str, to_status: str, source: str, now: dt.datetime
) -> None:
    kind = _kind(from_status, to_status, source)
    if kind is None:
        return
    context: dict[str, object] = {"amount": application.amount}
    if kind in (Kind.LOAN_DISBURSED, Kind.PAYOUT_FAILED):
        card = (
            BorrowerProfile.objects.filter(user_id=application.borrower_id)
            .values_list("bank_card_masked", flat=True)
            .first()
        )
        context["card"] = card or ""
    if kind == Kind.FACE_CHECK_NEEDED:
        link = reverse("verification:face-check", kwargs={"public_id": application.public_id})
    else:
        link = reverse("loans:application", kwargs={"public_id": application.public_id})
    notification_send(
        user=application.borrower,
        kind=kind,
        context=context,
        now=now,
        link=link,
        dedupe_key=f"application:{application.public_id}:{to_status}",
    )
