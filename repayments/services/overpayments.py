"""Money held beyond what was due (DOMAIN.md §5): applied to the next installment on its
due date, or refunded to the bound card on the borrower's request."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction

from accounts.models import BorrowerProfile, User
from common.exceptions import Conflict, InvalidInput, NotFound
from common.gateway import GatewayOutcome, payment_gateway
from common.idempotency import IdempotencyKeyReused
from common.money import ZERO
from ledger.accounts import AccountCode
from ledger.models import JournalTransaction
from ledger.services import JournalEntry, credit, debit
from loans.models import Loan
from repayments.models import OverpaymentMovement, Refund, Repayment
from repayments.services import core


def overpayment_apply(
    *, loan_id: int, business_date: dt.date, now: dt.datetime
) -> Repayment | None:
    """Apply what is held for a loan to what is due on `business_date` (the close of
    business calls it for loans with an installment due that day). The held money pays by
    the waterfall like any repayment (a receipt of kind "overpayment"); what is not needed
    stays held. Returns the receipt's repayment, or None if nothing was applied. Safe to run
    twice on a day: the receipt's key names the loan and the date."""
    with transaction.atomic(durable=True):
        loan = core.loan_lock(loan_id)
        rows = core.live_installments_lock(loan)
        balance = core.overpayment_balance_lock(loan)
        key = f"overpayment:{loan.public_id}:{business_date}"
        if balance.amount <= 0 or Repayment.objects.filter(idempotency_key=key).exists():
            return None
        due = core.amount_due(loan, rows, business_date).total
        amount = min(due, balance.amount)
        if amount <= 0:
            return None
        repayment = Repayment.objects.create(
            loan=loan,
            borrower_id=loan.borrower_id,
            kind=Repayment.Kind.OVERPAYMENT,
            status=Repayment.Status.SUCCEEDED,
            amount=amount,
            idempotency_key=key,
            business_date=business_date,
            requested_at=now,
            completed_at=now,
        )
        applied = core.apply_amount(
            loan=loan, rows=rows, amount=amount, on=business_date, repayment=repayment
        )
        assert applied.remainder == 0  # never more than was due
        balance.amount -= amount
        balance.save(update_fields=["amount"])
        OverpaymentMovement.objects.create(
            loan=loan,
            kind=OverpaymentMovement.Kind.APPLIED,
            amount=-amount,
            repayment=repayment,
            business_date=business_date,
            occurred_at=now,
        )
        postings = [debit(AccountCode.BORROWER_OVERPAYMENT, amount, loan.pk)]
        postings += core.receipt_postings(loan, applied, received=amount)[1:]
        core.post(
            [
                JournalEntry(
                    idempotency_key=f"overpayment-applied:{repayment.public_id}",
                    kind=JournalTransaction.Kind.OVERPAYMENT_APPLIED,
                    business_date=business_date,
                    postings=postings,
                    description=f"Held overpayment applied to loan {loan.public_id}",
                )
            ],
            now=now,
        )
    return repayment


def refund_request(
    *,
    borrower: User,
    loan_public_id: uuid.UUID | str,
    amount: Decimal,
    idempotency_key: str,
    business_date: dt.date,
    now: dt.datetime,
) -> Refund:
    """The borrower asks for held money back: it is taken from what is held at once (so it
    cannot be refunded twice) and sent to the bound card; a failed refund is held again."""
    loan = Loan.objects.filter(public_id=loan_public_id, borrower=borrower).first()
    if loan is None:
        raise NotFound("There is no such loan.", code="not_found")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            "Enter an amount in yuan with at most two decimals.", code="amount_invalid"
        )
    if not idempotency_key or len(idempotency_key) > 100:
        raise InvalidInput(
            "An idempotency key of 1-100 characters is required.",
            code="idempotency_key_invalid",
        )
    existing = Refund.objects.filter(borrower=borrower, idempotency_key=idempotency_key).first()
    if existing is None:
        profile = BorrowerProfile.objects.filter(user=borrower).first()
        if profile is None:
            raise InvalidInput("Bind a bank card first.", code="profile_incomplete")
        try:
            with transaction.atomic(durable=True):
                core.loan_lock(loan.pk)
                balance = core.overpayment_balance_lock(loan)
                if amount > balance.amount:
                    raise Conflict(
                        f"Only {balance.amount} is held for this loan.",
                        code="amount_above_held",
                    )
                existing = Refund.objects.create(
                    loan=loan,
                    borrower=borrower,
                    amount=amount,
                    idempotency_key=idempotency_key,
                    card_masked=profile.bank_card_masked,
                    business_date=business_date,
                    requested_at=now,
                )
                balance.amount -= amount
                balance.save(update_fields=["amount"])
                OverpaymentMovement.objects.create(
                    loan=loan,
                    kind=OverpaymentMovement.Kind.REFUND_REQUESTED,
                    amount=-amount,
                    refund=existing,
                    business_date=business_date,
                    occurred_at=now,
                )
        except IntegrityError:
            existing = Refund.objects.get(borrower=borrower, idempotency_key=idempotency_key)
    if existing.loan_id != loan.pk or existing.amount != amount:
        raise IdempotencyKeyReused("This idempotency key was used for a different refund.")
    return refund_send(refund_id=existing.pk, business_date=business_date, now=now)


def refund_send(*, refund_id: int, business_date: dt.date, now: dt.datetime) -> Refund:
    """Send a pending refund through the gateway (outside any transaction), then record the
    outcome: refunded (the money leaves the bank account and the liability), or failed (the
    money is held again). Safe to run twice."""
    refund = Refund.objects.select_related("borrower__profile").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    profile = refund.borrower.profile
    gateway = payment_gateway()
    result = gateway.payout(
        idempotency_key=f"refund:{refund.public_id}",
        amount=refund.amount,
        card_number=profile.bank_card_number,
        account_name=profile.full_name,
    )
    with transaction.atomic(durable=True):
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != Refund.Status.PENDING:
            return refund
        refund.attempts += 1
        refund.gateway = gateway.name
        refund.gateway_reference = result.reference
        if result.outcome == GatewayOutcome.SUCCEEDED:
            refund.status = Refund.Status.SUCCEEDED
            refund.completed_at = now
            core.post(
                [
                    JournalEntry(
                        idempotency_key=f"refund:{refund.public_id}",
                        kind=JournalTransaction.Kind.REFUND,
                        business_date=business_date,
                        postings=[
                            debit(AccountCode.BORROWER_OVERPAYMENT, refund.amount, refund.loan_id),
                            credit(AccountCode.SETTLEMENT_BANK, refund.amount, refund.loan_id),
                        ],
                        description=f"Refund {result.reference} to {refund.card_masked}",
                    )
                ],
                now=now,
            )
        elif result.outcome == GatewayOutcome.DECLINED:
            refund.status = Refund.Status.FAILED
            refund.completed_at = now
            refund.failure_reason = result.message[:255]
            loan = core.loan_lock(refund.loan_id)
            balance = core.overpayment_balance_lock(loan)
            balance.amount += refund.amount
            balance.save(update_fields=["amount"])
            OverpaymentMovement.objects.create(
                loan=loan,
                kind=OverpaymentMovement.Kind.REFUND_RETURNED,
                amount=refund.amount,
                refund=refund,
                business_date=business_date,
                occurred_at=now,
            )
        refund.save()
    return refund


def overpayment_held(loan: Loan) -> Decimal:
    balance = getattr(loan, "overpayment_balance", None)
    return balance.amount if balance is not None else ZERO
