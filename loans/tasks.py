"""Celery tasks of the loans app: thin, keyword arguments, ids not objects, safe to run
twice. The clock is read here (an interface), never in services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from common.selectors import business_date_get
from loans.models import Payout
from loans.services import loan_application_expire_stale, payout_send

# A payout still pending after this long is sent again (the gateway deduplicates by key).
PAYOUT_RETRY_AFTER = dt.timedelta(minutes=5)


class PayoutStillPending(Exception):
    pass


@shared_task(
    autoretry_for=(PayoutStillPending,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=12,
    acks_late=True,
)
def payout_send_task(*, payout_id: int) -> str:
    payout = payout_send(payout_id=payout_id, business_date=business_date_get(), now=timezone.now())
    if payout.status == Payout.Status.PENDING:
        raise PayoutStillPending(f"payout {payout_id} is still pending at the gateway")
    return str(payout.status)


@shared_task
def payouts_resend_pending() -> int:
    """Beat: send again any payout left pending (a worker died, the gateway timed out)."""
    cutoff = timezone.now() - PAYOUT_RETRY_AFTER
    ids = list(
        Payout.objects.filter(status=Payout.Status.PENDING, requested_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for payout_id in ids:
        payout_send_task.delay(payout_id=payout_id)
    return len(ids)


@shared_task
def applications_expire() -> int:
    """Beat: expire applications that waited too long for a face check."""
    return loan_application_expire_stale(business_date=business_date_get(), now=timezone.now())
