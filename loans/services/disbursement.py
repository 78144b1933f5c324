"""Disbursement: an approved application becomes a loan with its schedule, the line's
available amount drops and the ledger records it, in one transaction; the payout to the
bound card goes through the payment gateway afterwards, outside any transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import BorrowerProfile, User
from common.exceptions import Conflict, InvalidInput
from common.gateway import GatewayOutcome, payment_gateway
from ledger.accounts import AccountCode
from ledger.models import JournalTransaction
from ledger.services import credit, debit, journal_transaction_post, journal_transaction_reverse
from loans.models import (
    ApplicationStatus,
    CreditLine,
    Installment,
    Loan,
    LoanApplication,
    Payout,
    ScheduleVersion,
    contract_terms_copy,
)
from loans.pricing import schedule_quote
from loans.schedule import Installment as ScheduleRow
from loans.schedule import InterestRate, RepaymentMethod
from loans.selectors import borrower_has_overdue, credit_line_available
from loans.services.quotes import due_date_rule_of, first_due_date_for
from loans.services.states import (
    FaceCheckPending,
    application_refuse_locked,
    application_transition,
)

S = ApplicationStatus


@dataclass(frozen=True)
class DisbursementResult:
    application: LoanApplication
    loan: Loan | None
    payout: Payout | None


def loan_disburse(
    *, application_id: int, business_date: dt.date, now: dt.datetime, actor: User | None = None
) -> DisbursementResult:
    """Turn an approved application into a loan. Safe to call twice: a disbursed
    application returns its loan. If the line no longer has room (another draw got there
    first) the application is refused with that reason and nothing moves."""
    with transaction.atomic(durable=True):
        # Only the application's row: the product and the borrower are read, not changed,
        # and locking them would queue every disbursement of a product behind the others.
        application = (
            LoanApplication.objects.select_for_update(of=("self",))
            .select_related("product", "borrower")
            .get(pk=application_id)
        )
        if application.status == S.DISBURSED:
            loan = Loan.objects.select_related("payout").get(application=application)
            return DisbursementResult(application, loan, loan.payout)
        if application.face_check_required and application.face_check_passed_at is None:
            raise FaceCheckPending(
                "This application needs a passed face check before it can be disbursed."
            )
        if application.status != S.APPROVED:
            raise Conflict(
                f"Only an approved application can be disbursed; this one is "
                f"{application.get_status_display()}.",
                code="invalid_transition",
            )
        line = None
        if application.credit_line_id is not None:
            line = CreditLine.objects.select_for_update().get(pk=application.credit_line_id)
        product = application.product
        # What held at submission may have changed while the application waited (a face
        # check can take days): every rule is checked again under the line's lock.
        refusal = _refusal_at_disbursement(application, line)
        if refusal is not None:
            code, reason = refusal
            application_refuse_locked(application, now=now, code=code, reason=reason)
            return DisbursementResult(application, None, None)

        # The price is the one quoted at submission; the dates are those of today's draw,
        # and the annualized-rate cap is checked again on them.
        rate = (
            InterestRate.daily(application.daily_rate)
            if application.daily_rate is not None
            else InterestRate.annual(application.annual_rate)
        )
        first_due, new_repayment_day = first_due_date_for(
            product, line, business_date, rule=due_date_rule_of(application)
        )
        try:
            schedule = schedule_quote(
                principal=application.amount,
                term=application.term,
                method=RepaymentMethod(application.method),
                rate=rate,
                start_date=business_date,
                first_due_date=first_due,
                rounding_unit=application.installment_rounding_unit,
                due_date_rule=due_date_rule_of(application),
            )
        except InvalidInput as exc:
            application_refuse_locked(application, now=now, code=exc.code, reason=exc.detail)
            return DisbursementResult(application, None, None)
        if line is not None and new_repayment_day is not None:
            line.repayment_day = new_repayment_day
            line.save(update_fields=["repayment_day"])
        loan = Loan.objects.create(
            borrower=application.borrower,
            product=product,
            credit_line=line,
            application=application,
            principal=application.amount,
            term=application.term,
            method=application.method,
            daily_rate=application.daily_rate,
            annual_rate=application.annual_rate,
            # The terms the borrower accepted at submission, not the product's of today.
            **contract_terms_copy(application),
            annualized_rate_simple=schedule.annualized_rate_simple,
            annualized_rate_irr=schedule.annualized_rate_irr,
            start_date=business_date,
            first_due_date=schedule.first_due_date,
            maturity_date=schedule.maturity_date,
            # The contract's day of the month (31 for a bank loan of 31 January, even though
            # February's due date is the 29th).
            repayment_day=line.repayment_day if line and line.repayment_day else business_date.day,
            principal_outstanding=application.amount,
            oldest_unpaid_due_date=schedule.first_due_date,
        )
        version = ScheduleVersion.objects.create(
            loan=loan,
            number=1,
            reason=ScheduleVersion.Reason.CONTRACT,
            effective_date=business_date,
            principal=loan.principal,
            source=ScheduleVersion.Source.STAFF if actor else ScheduleVersion.Source.SYSTEM,
            actor=actor,
            created_at=now,
        )
        Installment.objects.bulk_create(
            installment_rows(
                loan=loan, version=version, rows=schedule.installments, on=business_date
            )
        )
        journal_transaction_post(
            idempotency_key=f"disbursement:{loan.public_id}",
            kind=JournalTransaction.Kind.DISBURSEMENT,
            business_date=business_date,
            now=now,
            postings=[
                debit(AccountCode.LOAN_PRINCIPAL, loan.principal, loan.pk),
                credit(AccountCode.PAYOUTS_IN_TRANSIT, loan.principal, loan.pk),
            ],
            description=f"Disbursement of loan {loan.public_id}",
        )
        profile = application.borrower.profile
        payout = Payout.objects.create(
            loan=loan,
            amount=loan.principal,
            card_masked=profile.bank_card_masked,
            idempotency_key=f"payout:{loan.public_id}",
            requested_at=now,
        )
        application_transition(
            application,
            S.DISBURSED,
            now=now,
            source="staff" if actor else "system",
            actor=actor,
            reason=f"Loan {loan.public_id} created; payout to {payout.card_masked} requested.",
        )
        from loans.tasks import payout_send_task

        payout_id = payout.pk
        transaction.on_commit(lambda: payout_send_task.delay(payout_id=payout_id))
    return DisbursementResult(application, loan, payout)


def installment_rows(
    *, loan: Loan, version: ScheduleVersion, rows: Sequence[ScheduleRow], on: dt.date
) -> list[Installment]:
    """Installment rows of a schedule version made on `on`, each with its interest span over
    its whole period on its opening balance (loans.schedule.accrual); the row whose period
    runs on `on` is the one accruing."""
    return [
        Installment(
            loan=loan,
            schedule_version=version,
            number=row.number,
            period_start_date=row.period_start_date,
            due_date=row.due_date,
            days=row.days,
            opening_balance=row.opening_balance,
            principal=row.principal,
            interest=row.interest,
            interest_span_start_date=row.period_start_date,
            interest_span_base=row.opening_balance,
            accruing=row.period_start_date <= on < row.due_date,
        )
        for row in rows
    ]


def _refusal_at_disbursement(
    application: LoanApplication, line: CreditLine | None
) -> tuple[str, str] | None:
    """Why a (locked) approved application can no longer be paid out, if it cannot."""
    product = application.product
    if not product.is_active:
        return "product_not_offered", "The product is no longer offered."
    if not application.borrower.is_active:
        return "borrower_inactive", "The borrower's account is closed."
    if not BorrowerProfile.objects.filter(user=application.borrower).exists():
        return "profile_incomplete", "The borrower has no bank card to pay out to."
    if line is not None:
        if line.status != CreditLine.Status.ACTIVE:
            return "credit_line_inactive", "The credit line is no longer active."
        available = credit_line_available(line=line)
        if application.amount > available:
            return "amount_above_available", f"Not enough available credit ({available})."
    open_loans = Loan.objects.filter(
        borrower=application.borrower, product=product, status=Loan.Status.ACTIVE
    ).count()
    if open_loans >= product.max_open_draws:
        return "too_many_open_loans", f"{open_loans} open loans: the most this product allows."
    if not product.lend_while_overdue and borrower_has_overdue(borrower=application.borrower):
        return "overdue_unpaid", "The borrower has an overdue installment."
    return None


def payout_send(*, payout_id: int, business_date: dt.date, now: dt.datetime) -> Payout:
    """Send a pending payout to the gateway (outside any transaction), then record the
    outcome: paid out (the money leaves the settlement account) or declined (the
    disbursement is reversed and the loan cancelled, so the line is whole again). A
    pending answer leaves it pending for the next try. Safe to run twice."""
    payout = Payout.objects.select_related("loan__borrower__profile").get(pk=payout_id)
    if payout.status != Payout.Status.PENDING:
        return payout
    borrower = payout.loan.borrower
    profile = borrower.profile
    gateway = payment_gateway()
    result = gateway.payout(
        idempotency_key=payout.idempotency_key,
        amount=payout.amount,
        card_number=profile.bank_card_number,
        account_name=profile.full_name,
    )
    with transaction.atomic(durable=True):
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        if payout.status != Payout.Status.PENDING:
            return payout
        payout.attempts += 1
        payout.gateway = gateway.name
        payout.gateway_reference = result.reference
        if result.outcome == GatewayOutcome.SUCCEEDED:
            payout.status = Payout.Status.SUCCEEDED
            payout.completed_at = now
            journal_transaction_post(
                idempotency_key=f"payout-settled:{payout.public_id}",
                kind=JournalTransaction.Kind.DISBURSEMENT,
                business_date=business_date,
                now=now,
                postings=[
                    debit(AccountCode.PAYOUTS_IN_TRANSIT, payout.amount, payout.loan_id),
                    credit(AccountCode.SETTLEMENT_BANK, payout.amount, payout.loan_id),
                ],
                description=f"Payout {payout.gateway_reference} to {payout.card_masked}",
            )
        elif result.outcome == GatewayOutcome.DECLINED:
            payout.status = Payout.Status.FAILED
            payout.completed_at = now
            payout.failure_reason = result.message[:255]
            _cancel_loan(
                payout.loan_id, business_date=business_date, now=now, reason=result.message
            )
        payout.save()
    return payout


def _cancel_loan(loan_id: int, *, business_date: dt.date, now: dt.datetime, reason: str) -> None:
    """Undo a disbursement whose payout was declined: reverse its posting, cancel the loan
    and its schedule, cancel the application (with the reason), and give the line back the
    repayment day it had if this was its first draw."""
    loan = Loan.objects.select_for_update().get(pk=loan_id)
    original = JournalTransaction.objects.get(idempotency_key=f"disbursement:{loan.public_id}")
    journal_transaction_reverse(
        original=original, business_date=business_date, now=now, reason=f"payout failed: {reason}"
    )
    loan.status = Loan.Status.CANCELLED
    loan.principal_outstanding = Decimal("0.00")
    loan.save(update_fields=["status", "principal_outstanding"])
    loan.installments.update(status=Installment.Status.CANCELLED, accruing=False)
    if loan.application_id is not None:
        application = LoanApplication.objects.select_for_update().get(pk=loan.application_id)
        # The money is unwound whatever the application says; only a disbursed one moves
        # (one cancelled by the borrower under an older rule already says cancelled).
        if application.status == S.DISBURSED:
            application_transition(
                application,
                S.CANCELLED,
                now=now,
                source="system",
                reason=f"The payout to the bank card failed ({reason}); the loan was cancelled.",
            )
    if loan.credit_line_id is not None:
        line = CreditLine.objects.select_for_update().get(pk=loan.credit_line_id)
        others = Loan.objects.filter(credit_line=line).exclude(status=Loan.Status.CANCELLED)
        if not others.exists():
            line.repayment_day = None
            line.save(update_fields=["repayment_day"])
