"""Reads of the loans app. Each selector owns its joins and orders explicitly; borrower
selectors only ever see the borrower's own rows (anything else is "not found")."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from common.exceptions import NotFound
from common.money import round_money
from loans.models import (
    ApplicationEvent,
    ApplicationStatus,
    CreditLine,
    Installment,
    Loan,
    LoanApplication,
    LoanContract,
    LoanProduct,
    Payout,
)
from loans.schedule import RateBasis
from loans.schedule.accrual import AccrualTerms, Standing, installment_standing

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))

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


def _with_usage(lines: QuerySet[CreditLine]) -> QuerySet[CreditLine]:
    """What each line has lent (`used`: the outstanding principal of its open draws) and
    how many draws are open, as annotations."""
    active = Q(loans__status=Loan.Status.ACTIVE)
    return lines.annotate(
        used=Coalesce(Sum("loans__principal_outstanding", filter=active), ZERO),
        open_loans=Count("loans", filter=active),
    )


def _available(line: CreditLine) -> Decimal:
    """The one rule for available credit: the limit minus what the line has lent."""
    return round_money(line.limit - line.used)  # type: ignore[attr-defined]


def borrower_has_overdue(*, borrower: User) -> bool:
    """Whether any open loan of the borrower has an installment overdue (past its grace:
    the close marks it so)."""
    return Installment.objects.filter(
        loan__borrower=borrower,
        loan__status=Loan.Status.ACTIVE,
        status=Installment.Status.OVERDUE,
    ).exists()


def credit_line_available(*, line: CreditLine) -> Decimal:
    """What the borrower can still draw on `line`. Services that decide on a draw call it
    under the line's row lock, so no other draw can change it before they commit."""
    return _available(_with_usage(CreditLine.objects.filter(pk=line.pk)).get())


def credit_lines_for_borrower(*, borrower: User) -> list[CreditLineView]:
    """The borrower's lines with what is available on each, in one query."""
    lines = _with_usage(
        CreditLine.objects.filter(borrower=borrower).select_related("product")
    ).order_by("product__code", "pk")
    # `used` and `open_loans` are _with_usage's annotations (not typed through the helper).
    return [
        CreditLineView(
            line=line,
            available=_available(line),
            open_loans=line.open_loans,  # type: ignore[attr-defined]
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


def applications_waiting_for_face_check(*, borrower: User) -> QuerySet[LoanApplication]:
    """The borrower's applications that wait for their face check (or a manual review):
    what Home shows first."""
    return (
        LoanApplication.objects.filter(
            borrower=borrower, status=ApplicationStatus.FACE_CHECK_REQUIRED
        )
        .select_related("product")
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


def contract_for_application(*, application: LoanApplication) -> LoanContract | None:
    """The contract text accepted with the application (None for applications made
    before contracts were stored)."""
    return LoanContract.objects.filter(application=application).first()


def applications_awaiting_disbursement(*, decided_before: dt.datetime) -> list[int]:
    """Approved applications with no loan yet, approved before `decided_before`: their
    disbursement was interrupted and is retried."""
    return list(
        LoanApplication.objects.filter(
            status="approved", loan__isnull=True, decided_at__lt=decided_before
        )
        .order_by("decided_at", "pk")
        .values_list("pk", flat=True)
    )


def payouts_pending(*, requested_before: dt.datetime) -> list[int]:
    """Payouts still pending since before `requested_before` (a worker died, the gateway
    timed out): they are sent again; the gateway deduplicates by idempotency key."""
    return list(
        Payout.objects.filter(status=Payout.Status.PENDING, requested_at__lt=requested_before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# An installment's overdue state is decided here and only here (DOMAIN.md §5, §6): the
# borrower's schedule (installment_state) and the credit scoring (loan_count_ever_overdue)
# both ask installment_overdue.


def installment_overdue(
    installment: Installment, *, business_date: dt.date, grace_days: int
) -> bool:
    """Whether an unpaid installment is overdue on `business_date`: its grace days after
    the due date have passed (`loans.schedule.accrual.installment_standing`, the one rule),
    or the close of business has already marked it overdue."""
    if installment.status == Installment.Status.PAID:
        return False
    standing = installment_standing(
        due_date=installment.due_date, grace_days=grace_days, on=business_date
    )
    return installment.status == Installment.Status.OVERDUE or standing is Standing.OVERDUE


def loan_count_ever_overdue(*, borrower: User, business_date: dt.date) -> int:
    """How many of the borrower's loans have been overdue: with an installment overdue on
    `business_date`, or one that was charged penalty interest (only an overdue
    installment is)."""
    installments = Installment.objects.filter(loan__borrower=borrower)
    charged = Q(penalty_accrued_before_span__gt=0) | Q(penalty_paid__gt=0)
    loan_ids = set(installments.filter(charged).values_list("loan_id", flat=True))
    unpaid = (
        installments.exclude(status=Installment.Status.PAID)
        .select_related("loan")
        .only("loan_id", "status", "due_date", "loan__grace_days")
        .order_by("pk")
    )
    loan_ids.update(
        row.loan_id
        for row in unpaid
        if installment_overdue(row, business_date=business_date, grace_days=row.loan.grace_days)
    )
    return len(loan_ids)


def installment_state(installment: Installment, *, business_date: dt.date, grace_days: int) -> str:
    """What to show a borrower: paid, overdue, due (from the due date to the end of
    grace), or upcoming (`installment_standing` on the business date)."""
    if installment.status == Installment.Status.PAID:
        return "paid"
    if installment_overdue(installment, business_date=business_date, grace_days=grace_days):
        return "overdue"
    standing = installment_standing(
        due_date=installment.due_date, grace_days=grace_days, on=business_date
    )
    if installment.status == Installment.Status.DUE or standing is Standing.CURRENT:
        return "due"
    return "upcoming"


def accrual_terms_of(loan: Loan) -> AccrualTerms:
    """The terms accrual reads, from the loan's frozen contract terms."""
    if loan.daily_rate is not None:
        basis, rate = RateBasis.DAILY, loan.daily_rate
    else:
        assert loan.annual_rate is not None  # a loan has exactly one rate (a constraint)
        basis, rate = RateBasis.ANNUAL, loan.annual_rate
    return AccrualTerms(
        basis=basis,
        rate=rate,
        grace_days=loan.grace_days,
        penalty_rate_multiplier=loan.penalty_rate_multiplier,
        compound_interest_enabled=loan.compound_interest_enabled,
    )
