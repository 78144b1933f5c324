"""The collections team's records: a contact note and a promise to pay, each one insert
of an insert-only row. Neither moves money or state, so they run inside the caller's
transaction (the admin's change form has one) rather than a durable one of their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import User
from backoffice.models import CollectionNote, PromiseToPay
from common.exceptions import InvalidInput
from loans.models import Loan

# A promise further away than this is not a promise collections can follow.
PROMISE_HORIZON_DAYS = 60
PROMISE_MAX = Decimal("100000000.00")


def _overdue_loan(loan_id: int, on: dt.date) -> tuple[Loan, int]:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise InvalidInput(_("No such loan."), code="loan_not_found")
    oldest = loan.oldest_unpaid_due_date
    if loan.status != Loan.Status.ACTIVE or oldest is None or oldest >= on:
        raise InvalidInput(_("This loan is not overdue."), code="loan_not_overdue")
    return loan, (on - oldest).days


def collection_note_check(*, channel: str, outcome: str, note: str) -> None:
    if channel not in CollectionNote.Channel.values:
        raise InvalidInput(_("Choose how the borrower was contacted."), code="channel_invalid")
    if outcome not in CollectionNote.Outcome.values:
        raise InvalidInput(_("Choose what came of the contact."), code="outcome_invalid")
    if len(note) > 500:
        raise InvalidInput(_("Keep the note under 500 characters."), code="note_too_long")
    if outcome in (CollectionNote.Outcome.OTHER, CollectionNote.Outcome.REFUSED) and not note:
        raise InvalidInput(_("Say what the borrower said."), code="note_required")


def collection_note_record(
    *,
    loan_id: int,
    author: User,
    channel: str,
    outcome: str,
    note: str,
    business_date: dt.date,
    now: dt.datetime,
) -> CollectionNote:
    """Record a contact (or an attempt) with the borrower of an overdue loan."""
    note = note.strip()
    collection_note_check(channel=channel, outcome=outcome, note=note)
    loan, days_past_due = _overdue_loan(loan_id, business_date)
    return CollectionNote.objects.create(
        loan=loan,
        channel=channel,
        outcome=outcome,
        note=note,
        days_past_due=days_past_due,
        business_date=business_date,
        author=author,
        created_at=now,
    )


def promise_to_pay_check(
    *, amount: Decimal, promised_date: dt.date, business_date: dt.date
) -> None:
    if (
        not amount.is_finite()
        or amount <= 0
        or amount > PROMISE_MAX
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise InvalidInput(_("Enter the amount promised, in yuan and fen."), code="amount_invalid")
    if promised_date < business_date:
        raise InvalidInput(_("A promise is for today or a later day."), code="promise_in_the_past")
    if promised_date > business_date + dt.timedelta(days=PROMISE_HORIZON_DAYS):
        raise InvalidInput(
            _("A promise is for a day within %(days)s days.") % {"days": PROMISE_HORIZON_DAYS},
            code="promise_too_far",
        )


def promise_to_pay_record(
    *,
    loan_id: int,
    author: User,
    amount: Decimal,
    promised_date: dt.date,
    note: str,
    business_date: dt.date,
    now: dt.datetime,
) -> PromiseToPay:
    """Record the borrower's promise to pay `amount` by `promised_date`."""
    promise_to_pay_check(amount=amount, promised_date=promised_date, business_date=business_date)
    loan, _days = _overdue_loan(loan_id, business_date)
    return PromiseToPay.objects.create(
        loan=loan,
        amount=amount,
        promised_date=promised_date,
        note=note.strip()[:500],
        business_date=business_date,
        author=author,
        created_at=now,
    )
