"""Celery tasks of the loans app: thin, keyword arguments, ids not objects, safe to run
twice. The clock is read here (an interface), never in services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from common.exceptions import DomainError
from common.selectors import business_date_get
from loans.models import Payout
from loans.selectors import applications_awaiting_disbursement, payouts_pending
from loans.services import loan_application_expire_stale, loan_disburse, payout_send

# Work left unfinished this long is picked up again by the sweeps below.
PAYOUT_RETRY_AFTER = dt.timedelta(minutes=5)
DISBURSEMENT_RETRY_AFTER = dt.timedelta(minutes=2)


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
    """Beat: send again any payout left pending."""
    ids = payouts_pending(requested_before=timezone.now() - PAYOUT_RETRY_AFTER)
    for payout_id in ids:
        payout_send_task.delay(payout_id=payout_id)
    return len(ids)


@shared_task
def applications_disburse_approved() -> int:
    """Beat: finish disbursements that were interrupted after approval."""
    done = 0
    for application_id in applications_awaiting_disbursement(
        decided_before=timezone.now() - DISBURSEMENT_RETRY_AFTER
    ):
        try:
            loan_disburse(
                application_id=application_id,
                business_date=business_date_get(),
                now=timezone.now(),
            )
        except DomainError:
            continue
        done += 1
    return done


@shared_task
def applications_expire() -> int:
    """Beat: expire applications that waited too long for a face check."""
    return loan_application_expire_stale(business_date=business_date_get(), now=timezone.now())
