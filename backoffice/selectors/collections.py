"""Whether promises to pay were kept: the money received for the loan from the day the
promise was made to the promised day, against the amount promised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.models import PromiseToPay
from backoffice.selectors.dashboard import RECEIVED_KINDS
from repayments.models import Repayment


class PromiseState(models.TextChoices):
    WAITING = "waiting", _("Not yet due")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


def promise_states(promises: Sequence[PromiseToPay], *, on: dt.date) -> dict[int, PromiseState]:
    """Each promise's state on the business date `on`, in one query for all of them."""
    if not promises:
        return {}
    received = list(
        Repayment.objects.filter(
            loan_id__in={p.loan_id for p in promises},
            status=Repayment.Status.SUCCEEDED,
            kind__in=RECEIVED_KINDS,
            business_date__gte=min(p.business_date for p in promises),
            business_date__lte=max(p.promised_date for p in promises),
        )
        .order_by()
        .values_list("loan_id", "business_date", "amount")
    )
    states: dict[int, PromiseState] = {}
    for promise in promises:
        paid = sum(
            (
                amount
                for loan_id, day, amount in received
                if loan_id == promise.loan_id
                and promise.business_date <= day <= promise.promised_date
            ),
            Decimal("0.00"),
        )
        if paid >= promise.amount:
            states[promise.pk] = PromiseState.KEPT
        elif on > promise.promised_date:
            states[promise.pk] = PromiseState.BROKEN
        else:
            states[promise.pk] = PromiseState.WAITING
    return states
