"""Reads of the repayments app, scoped to the borrower where a borrower asks."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from common.exceptions import NotFound
from common.money import ZERO
from loans.models import Installment, Loan
from loans.schedule.accrual import Standing, days_past_due, installment_standing
from repayments.models import (
    Allocation,
    OverpaymentBalance,
    PrepaymentApplication,
    Refund,
    Repayment,
)
from repayments.services import core


def loan_for_borrower(*, borrower: User, public_id: uuid.UUID | str) -> Loan:
    loan = (
        Loan.objects.select_related("product", "credit_line")
        .filter(borrower=borrower, public_id=public_id)
        .first()
    )
    if loan is None:
        raise NotFound("There is no such loan.", code="not_found")
    return loan


def repayment_list_for_loan(*, loan: Loan) -> QuerySet[Repayment]:
    return (
        Repayment.objects.filter(loan=loan)
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("installment").order_by("pk"),
            )
        )
        .order_by("-requested_at", "-pk")
    )


def repayment_for_borrower(*, borrower: User, public_id: uuid.UUID | str) -> Repayment:
    repayment = (
        repayment_list_for_loan_of_borrower(borrower)
        .filter(public_id=public_id)
        .select_related("loan")
        .first()
    )
    if repayment is None:
        raise NotFound("There is no such repayment.", code="not_found")
    return repayment


def repayment_list_for_loan_of_borrower(borrower: User) -> QuerySet[Repayment]:
    return Repayment.objects.filter(borrower=borrower).prefetch_related(
        Prefetch(
            "allocations", queryset=Allocation.objects.select_related("installment").order_by("pk")
        )
    )


def prepayment_applications_for_borrower(*, borrower: User) -> QuerySet[PrepaymentApplication]:
    return (
        PrepaymentApplication.objects.filter(borrower=borrower)
        .select_related("loan")
        .order_by("-submitted_at", "-pk")
    )


def prepayment_application_for_borrower(
    *, borrower: User, public_id: uuid.UUID | str
) -> PrepaymentApplication:
    application = (
        prepayment_applications_for_borrower(borrower=borrower).filter(public_id=public_id).first()
    )
    if application is None:
        raise NotFound("There is no such application.", code="not_found")
    return application


@dataclass(frozen=True)
class LoanStanding:
    """What a borrower sees first about a loan: what is due now (and how much of it is
    overdue, penalty included), the next payment, what is still owed in all, what is held."""

    loan: Loan
    on: dt.date
    due_now: core.AmountDue
    next_due_date: dt.date | None
    next_due_amount: Decimal
    still_owed: Decimal
    held: Decimal
    days_past_due: int

    @property
    def is_overdue(self) -> bool:
        return self.due_now.overdue > 0

    @property
    def penalty(self) -> Decimal:
        """Penalty and compound interest owed now (only an overdue installment owes them)."""
        return self.due_now.penalty + self.due_now.compound


def loan_standing(*, loan: Loan, on: dt.date) -> LoanStanding:
    rows = core.live_installments(loan)
    due = core.amount_due(loan, rows, on)
    upcoming = [
        row
        for row in rows
        if installment_standing(due_date=row.due_date, grace_days=loan.grace_days, on=on)
        is Standing.NOT_YET_DUE
    ]
    nxt = upcoming[0] if upcoming else None
    balance = OverpaymentBalance.objects.filter(loan=loan).values_list("amount", flat=True).first()
    future_interest = sum((row.interest - row.interest_paid for row in upcoming), ZERO)
    return LoanStanding(
        loan=loan,
        on=on,
        due_now=due,
        next_due_date=nxt.due_date if nxt else None,
        next_due_amount=(nxt.principal + nxt.interest - nxt.principal_paid - nxt.interest_paid)
        if nxt
        else ZERO,
        still_owed=due.total
        + sum((row.principal - row.principal_paid for row in upcoming), ZERO)
        + future_interest,
        held=balance or ZERO,
        days_past_due=days_past_due(oldest_unpaid_due_date=loan.oldest_unpaid_due_date, on=on),
    )


def refunds_for_loan(*, loan: Loan) -> QuerySet[Refund]:
    return Refund.objects.filter(loan=loan).order_by("-requested_at", "-pk")


def schedule_versions_with_rows(*, loan: Loan) -> list[tuple[object, list[Installment]]]:
    """Every schedule version of a loan with its rows, oldest first."""
    versions = list(loan.schedule_versions.order_by("number", "pk"))
    rows = list(loan.installments.order_by("number", "pk"))
    return [(v, [r for r in rows if r.schedule_version_id == v.pk]) for v in versions]
