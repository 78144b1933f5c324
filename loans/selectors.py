"""Reads of the loans app. Each selector owns its joins and orders explicitly; borrower
selectors only ever see the borrower's own rows (anything else is "not found")."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from common.exceptions import NotFound
from loans.models import (
    ApplicationEvent,
    CreditLine,
    Installment,
    Loan,
    LoanApplication,
    LoanProduct,
)
from loans.services.states import credit_line_available

LIVE_INSTALLMENTS = (
    Installment.Status.PENDING,
    Installment.Status.DUE,
    Installment.Status.OVERDUE,
    Installment.Status.PAID,
)


@dataclass(frozen=True)
class CreditLineView:
    line: CreditLine
    available: Decimal
    open_loans: int


def products_offered() -> QuerySet[LoanProduct]:
    return LoanProduct.objects.filter(is_active=True).order_by("kind", "code", "pk")


def credit_lines_for_borrower(*, borrower: User) -> list[CreditLineView]:
    lines = (
        CreditLine.objects.filter(borrower=borrower)
        .select_related("product")
        .order_by("product__code", "pk")
    )
    return [
        CreditLineView(
            line=line,
            available=credit_line_available(line),
            open_loans=Loan.objects.filter(credit_line=line, status=Loan.Status.ACTIVE).count(),
        )
        for line in lines
    ]


def loan_list_for_borrower(*, borrower: User) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(borrower=borrower)
        .select_related("product", "payout")
        .order_by("-start_date", "-pk")
    )


def loan_get_for_borrower(*, borrower: User, public_id: uuid.UUID | str) -> Loan:
    loan = (
        Loan.objects.filter(borrower=borrower, public_id=public_id)
        .select_related("product", "payout", "application")
        .prefetch_related(
            Prefetch(
                "installments",
                queryset=Installment.objects.filter(status__in=LIVE_INSTALLMENTS).order_by(
                    "number", "pk"
                ),
                to_attr="schedule",
            )
        )
        .first()
    )
    if loan is None:
        raise NotFound("No such loan.", code="not_found")
    return loan


def application_list_for_borrower(*, borrower: User) -> QuerySet[LoanApplication]:
    return (
        LoanApplication.objects.filter(borrower=borrower)
        .select_related("product", "risk_decision", "loan")
        .order_by("-submitted_at", "-pk")
    )


def application_get_for_borrower(*, borrower: User, public_id: uuid.UUID | str) -> LoanApplication:
    application = (
        LoanApplication.objects.filter(borrower=borrower, public_id=public_id)
        .select_related("product", "risk_decision", "loan")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.order_by("occurred_at", "pk"),
                to_attr="timeline",
            )
        )
        .first()
    )
    if application is None:
        raise NotFound("No such application.", code="not_found")
    return application


def installment_state(installment: Installment, *, business_date: dt.date, grace_days: int) -> str:
    """What to show a borrower: paid, overdue (past the grace days), due (from the due date
    to the end of grace), or upcoming."""
    if installment.status == Installment.Status.PAID:
        return "paid"
    grace_end = installment.due_date + dt.timedelta(days=grace_days)
    if installment.status == Installment.Status.OVERDUE or business_date > grace_end:
        return "overdue"
    if installment.status == Installment.Status.DUE or business_date >= installment.due_date:
        return "due"
    return "upcoming"
