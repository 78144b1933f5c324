"""Paying a loan: a borrower's payment, a card collection on the due date, a micro-loan
payoff. Each is a `Repayment` outbox row: written first (its key unique), the gateway
charged outside any transaction with that key, the outcome recorded under the row's lock,
and, when the money is in, allocated by the waterfall and posted in that same transaction.
A pending outcome is asked again by the sweep (`repayment_sweep_pending`)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction

from accounts.models import BorrowerProfile, User
from common.exceptions import Conflict, InvalidInput, NotFound
from common.gateway import GatewayOutcome, GatewayResult, payment_gateway
from common.idempotency import IdempotencyKeyReused
from common.money import ZERO
from ledger.models import JournalTransaction
from ledger.services import JournalEntry
from loans.models import Loan
from repayments.models import Repayment
from repayments.services import core, payoff

MAX_KEY = 100


def _loan_of(borrower: User, loan_public_id: uuid.UUID | str) -> Loan:
    loan = Loan.objects.filter(public_id=loan_public_id, borrower=borrower).first()
    if loan is None:
        raise NotFound("There is no such loan.", code="not_found")
    return loan


def payment_limit(loan: Loan, on: dt.date) -> Decimal:
    """The most one payment may bring to a loan: everything it could still owe (its
    principal, the interest of every row left, what is owed to date besides)."""
    rows = core.live_installments(loan)
    due = core.amount_due(loan, rows, on)
    scheduled_interest = sum((row.interest - row.interest_paid for row in rows), ZERO)
    limit: Decimal = loan.principal_outstanding + scheduled_interest + due.penalty + due.compound
    return limit


def repayment_request(
    *,
    borrower: User,
    loan: Loan,
    kind: str,
    amount: Decimal,
    idempotency_key: str,
    business_date: dt.date,
    now: dt.datetime,
) -> Repayment:
    """Write the repayment's outbox row (nothing moves yet). The same key again returns the
    same row; the same key for a different amount is refused."""
    if not idempotency_key or len(idempotency_key) > MAX_KEY:
        raise InvalidInput(
            "An idempotency key of 1-100 characters is required.", code="idempotency_key_invalid"
        )
    existing = Repayment.objects.filter(
        borrower=borrower, kind=kind, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        if existing.loan_id != loan.pk or existing.amount != amount:
            raise IdempotencyKeyReused("This idempotency key was used for a different payment.")
        return existing
    profile = BorrowerProfile.objects.filter(user=borrower).first()
    if profile is None:
        raise InvalidInput("Bind a bank card before you pay.", code="profile_incomplete")
    try:
        with transaction.atomic(durable=True):
            return Repayment.objects.create(
                loan=loan,
                borrower=borrower,
                kind=kind,
                amount=amount,
                idempotency_key=idempotency_key,
                business_date=business_date,
                card_masked=profile.bank_card_masked,
                requested_at=now,
            )
    except IntegrityError:
        # The same request twice at once: the other copy wrote the row first.
        twin = Repayment.objects.get(borrower=borrower, kind=kind, idempotency_key=idempotency_key)
        if twin.loan_id != loan.pk or twin.amount != amount:
            raise IdempotencyKeyReused(
                "This idempotency key was used for a different payment."
            ) from None
        return twin


def repayment_collect(*, repayment_id: int, business_date: dt.date, now: dt.datetime) -> Repayment:
    """Charge a pending repayment to the borrower's bound card through the gateway (outside
    any transaction, with the repayment's own key), then record the outcome. Safe to run
    twice: a settled repayment is returned as it is."""
    repayment = Repayment.objects.select_related("borrower__profile").get(pk=repayment_id)
    if repayment.status != Repayment.Status.PENDING:
        return repayment
    profile = repayment.borrower.profile
    gateway = payment_gateway()
    result = gateway.collect(
        idempotency_key=f"repayment:{repayment.public_id}",
        amount=repayment.amount,
        card_number=profile.bank_card_number,
        account_name=profile.full_name,
    )
    return repayment_settle(
        repayment_id=repayment_id,
        result=result,
        gateway_name=gateway.name,
        business_date=business_date,
        now=now,
    )


def repayment_settle(
    *,
    repayment_id: int,
    result: GatewayResult,
    gateway_name: str,
    business_date: dt.date,
    now: dt.datetime,
) -> Repayment:
    """Record the gateway's answer. Money received is applied on `business_date` (the day
    it arrived): what is owed is brought to that date, the amount is allocated by the
    waterfall, anything beyond what is due is held as an overpayment, and the journal entry
    is posted, all in one transaction. A declined charge fails the repayment; a pending one
    waits for the sweep."""
    with transaction.atomic(durable=True):
        repayment = Repayment.objects.select_for_update().get(pk=repayment_id)
        if repayment.status != Repayment.Status.PENDING:
            return repayment
        repayment.attempts += 1
        repayment.gateway = gateway_name
        repayment.gateway_reference = result.reference
        if result.outcome == GatewayOutcome.PENDING:
            repayment.save(update_fields=["attempts", "gateway", "gateway_reference"])
            return repayment
        if result.outcome == GatewayOutcome.DECLINED:
            repayment.status = Repayment.Status.FAILED
            repayment.failure_reason = result.message[:255]
            repayment.completed_at = now
            repayment.save()
            return repayment
        repayment_apply_received(repayment=repayment, business_date=business_date, now=now)
    return repayment


def repayment_apply_received(
    *, repayment: Repayment, business_date: dt.date, now: dt.datetime
) -> None:
    """Apply money that has arrived, inside the caller's transaction (the repayment row is
    locked by the caller)."""
    loan = core.loan_lock(repayment.loan_id)
    rows = core.live_installments_lock(loan)
    entries: list[JournalEntry] = core.catch_up_accrual(loan, rows, on=business_date)
    if entries:
        loan.close_pending_from = None
        loan.save(update_fields=["close_pending_from"])
    kind = JournalTransaction.Kind.REPAYMENT
    if repayment.kind == Repayment.Kind.PAYOFF and loan.status == Loan.Status.ACTIVE:
        rows = payoff.payoff_restructure(
            loan=loan, rows=rows, amount=repayment.amount, on=business_date, now=now
        )
        kind = JournalTransaction.Kind.PAYOFF
    applied = core.apply_amount(
        loan=loan, rows=rows, amount=repayment.amount, on=business_date, repayment=repayment
    )
    core.overpayment_hold(
        loan=loan, amount=applied.remainder, repayment=repayment, on=business_date, now=now
    )
    entries.append(
        JournalEntry(
            idempotency_key=f"{kind}:{repayment.public_id}",
            kind=kind,
            business_date=business_date,
            postings=core.receipt_postings(loan, applied, received=repayment.amount),
            description=f"{repayment.kind.capitalize()} {repayment.gateway_reference}",
        )
    )
    core.post(entries, now=now)
    repayment.status = Repayment.Status.SUCCEEDED
    repayment.business_date = business_date
    repayment.overpaid = applied.remainder
    repayment.completed_at = now
    repayment.save()


def repayment_submit(
    *,
    borrower: User,
    loan_public_id: uuid.UUID | str,
    amount: Decimal,
    idempotency_key: str,
    business_date: dt.date,
    now: dt.datetime,
) -> Repayment:
    """A borrower pays a loan: what is due now or any larger amount, up to everything the
    loan could still owe. The card is charged at once; the repayment comes back received
    (with its receipt), failed (with the bank's reason) or pending."""
    loan = _loan_of(borrower, loan_public_id)
    if loan.status != Loan.Status.ACTIVE:
        raise Conflict("This loan is not open: there is nothing to pay.", code="loan_not_active")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            "Enter an amount in yuan with at most two decimals.", code="amount_invalid"
        )
    limit = payment_limit(loan, business_date)
    if amount > limit:
        raise InvalidInput(
            f"That is more than this loan could still owe ({limit}).", code="amount_above_owed"
        )
    repayment = repayment_request(
        borrower=borrower,
        loan=loan,
        kind=Repayment.Kind.PAYMENT,
        amount=amount,
        idempotency_key=idempotency_key,
        business_date=business_date,
        now=now,
    )
    return repayment_collect(repayment_id=repayment.pk, business_date=business_date, now=now)


def payoff_submit(
    *,
    borrower: User,
    loan_public_id: uuid.UUID | str,
    amount: Decimal | None,
    idempotency_key: str,
    business_date: dt.date,
    now: dt.datetime,
) -> Repayment:
    """Pay a micro-loan draw off today: the amount must be today's quote (`amount` None
    takes it). On success the draw is settled and its principal is available again."""
    loan = _loan_of(borrower, loan_public_id)
    total = payoff.payoff_amount_check(loan=loan, amount=amount, business_date=business_date)
    repayment = repayment_request(
        borrower=borrower,
        loan=loan,
        kind=Repayment.Kind.PAYOFF,
        amount=total,
        idempotency_key=idempotency_key,
        business_date=business_date,
        now=now,
    )
    return repayment_collect(repayment_id=repayment.pk, business_date=business_date, now=now)


def repayment_sweep_pending(
    *, business_date: dt.date, now: dt.datetime, older_than: dt.timedelta
) -> int:
    """Ask the gateway again about repayments still pending (a timeout, a crash between the
    charge and its record). Returns how many were asked; safe to run twice."""
    cutoff = now - older_than
    ids = list(
        Repayment.objects.filter(status=Repayment.Status.PENDING, requested_at__lte=cutoff)
        .exclude(kind=Repayment.Kind.OVERPAYMENT)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for repayment_id in ids:
        repayment_collect(repayment_id=repayment_id, business_date=business_date, now=now)
    return len(ids)
