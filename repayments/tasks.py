"""Celery tasks of repayments: thin, keyword arguments, ids not objects, safe to run twice.
The clock is read here (an interface), never in services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from common.exceptions import DomainError
from common.selectors import business_date_for_money, business_day_open
from repayments.models import Refund, Repayment
from repayments.services import repayment_collect, repayment_sweep_pending
from repayments.services.overpayments import refund_send

RESEND_AFTER = dt.timedelta(minutes=5)


@shared_task(acks_late=True)
def collections_send_task(*, repayment_ids: list[int]) -> dict[str, int]:
    """Charge a chunk of queued collections through the gateway and apply what comes in
    (after the close; valued on the open business date). Returns the outcomes' counts."""
    outcomes: dict[str, int] = {}
    for repayment_id in repayment_ids:
        loan_id = Repayment.objects.values_list("loan_id", flat=True).get(pk=repayment_id)
        try:
            business_date = business_date_for_money(loan_id=loan_id)
        except DomainError:
            outcomes["deferred"] = outcomes.get("deferred", 0) + 1
            continue
        repayment = repayment_collect(
            repayment_id=repayment_id, business_date=business_date, now=timezone.now()
        )
        outcomes[repayment.status] = outcomes.get(repayment.status, 0) + 1
    return outcomes


@shared_task
def repayments_resend_pending() -> int:
    """Beat: ask the gateway again about repayments and refunds left pending. Not while a
    close of business runs: its collections are sent by its follow-up steps once the next
    day is open (a chunk's commit is asynchronous until then, docs/close-of-business.md),
    and a payment is applied only after the close has processed its loan; what is pending
    waits for the next sweep."""
    now = timezone.now()
    if not business_day_open():
        return 0
    try:
        business_date = business_date_for_money()
    except DomainError:
        return 0
    asked = repayment_sweep_pending(business_date=business_date, now=now, older_than=RESEND_AFTER)
    for refund_id in Refund.objects.filter(
        status=Refund.Status.PENDING, requested_at__lte=now - RESEND_AFTER
    ).values_list("pk", flat=True)[:1000]:
        refund_send(refund_id=refund_id, business_date=business_date, now=now)
        asked += 1
    return asked
