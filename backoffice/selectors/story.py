"""A loan's whole story for staff: borrower (masked), product and the frozen contract terms,
every schedule version with its rows, repayments with their receipts, the loan's ledger
postings, the application's events, face checks and manual review, prepayment
applications, overdue and credit-report records, notices sent, the close's flags and the
collections team's notes. A fixed number of queries whatever the loan's history (each
list is one query, or two with its children), the ledger capped at its latest lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext

from accounts.identity import phone_mask
from backoffice.models import CollectionNote, PromiseToPay
from closing.models import CloseFailure
from common.money import RateField, round_rate
from ledger.models import JournalLine
from loans.models import ApplicationEvent, Installment, Loan, ScheduleVersion
from loans.models.terms import CONTRACT_TERM_FIELDS, AllocationTarget
from notifications.models import Notification
from repayments.models import (
    Allocation,
    OverdueRecord,
    PrepaymentApplication,
    PrepaymentEvent,
    Refund,
    Repayment,
)
from verification.models import ManualReview, VerificationAttempt

LEDGER_LINES_SHOWN = 500
# The loan's own contract figures, shown before the servicing rules it shares with products.
LOAN_TERM_FIELDS = (
    "principal",
    "term",
    "method",
    "daily_rate",
    "annual_rate",
    "annualized_rate_simple",
    "annualized_rate_irr",
    "start_date",
    "first_due_date",
    "maturity_date",
    "repayment_day",
)


@dataclass(frozen=True)
class Borrower:
    username: str
    name: str
    phone: str
    email: str
    id_number: str
    bank_card: str
    bank_name: str


@dataclass
class LoanStory:
    loan: Loan
    borrower: Borrower
    terms: list[tuple[str, Any]]
    versions: list[ScheduleVersion]
    repayments: list[Repayment]
    refunds: list[Refund]
    ledger_lines: list[JournalLine]
    ledger_line_count: int
    ledger_balances: list[Any]
    events: list[ApplicationEvent]
    attempts: list[VerificationAttempt]
    manual_review: ManualReview | None
    prepayments: list[PrepaymentApplication]
    overdue_records: list[OverdueRecord]
    notifications: list[Notification]
    close_failures: list[CloseFailure]
    collection_notes: list[CollectionNote]
    promises: list[PromiseToPay]


def _term_shown(loan: Loan, name: str, model_field: Any) -> Any:
    """A contract term as staff read it: rates as percentages, the repayment order and
    choices by their names, yes or no."""
    value = getattr(loan, name)
    display = getattr(loan, f"get_{name}_display", None)
    if display is not None:
        return display()
    if value is None:
        return None
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(model_field, RateField) and name != "penalty_rate_multiplier":
        places = 4 if name == "daily_rate" else 2
        return f"{round_rate(value * 100, places)}%"
    if name == "repayment_allocation_order":
        return " → ".join(_choice_label(AllocationTarget, code) for code in value)
    if name == "prepayment_fee_percents":
        return " / ".join(f"{percent}%" for percent in value) or "–"
    return value


def _choice_label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _mask_name(name: str) -> str:
    """The surname and a star per other character: 张**."""
    return f"{name[:1]}{'*' * (len(name) - 1)}" if name else ""


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def loan_story_get(*, loan_id: int) -> LoanStory | None:
    loan = (
        Loan.objects.select_related(
            "borrower",
            "borrower__profile",
            "product",
            "credit_line",
            "application",
            "application__risk_decision",
            "application__contract",
            "payout",
            "overpayment_balance",
        )
        .filter(pk=loan_id)
        .first()
    )
    if loan is None:
        return None
    user = loan.borrower
    profile = getattr(user, "profile", None)
    borrower = Borrower(
        # A borrower who signed up with a mobile number has it as the username.
        username=phone_mask(user.username) if user.username == user.phone else user.username,
        name=_mask_name(profile.full_name) if profile else "",
        phone=phone_mask(user.phone) if user.phone else "",
        email=_mask_email(user.email or ""),
        id_number=profile.id_number_masked if profile else "",
        bank_card=profile.bank_card_masked if profile else "",
        bank_name=profile.bank_name if profile else "",
    )
    terms = []
    for name in (*LOAN_TERM_FIELDS, *CONTRACT_TERM_FIELDS):
        model_field = Loan._meta.get_field(name)
        label = str(getattr(model_field, "verbose_name", name))
        terms.append((label, _term_shown(loan, name, model_field)))

    versions = list(
        ScheduleVersion.objects.filter(loan=loan)
        .select_related("actor")
        .prefetch_related(
            # By loan as well: the rows are read through the loan's index (no index
            # leads with the schedule version).
            Prefetch(
                "installments",
                queryset=Installment.objects.filter(loan=loan).order_by("number", "pk"),
            )
        )
        .order_by("number", "pk")
    )
    repayments = list(
        Repayment.objects.filter(loan=loan)
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("installment").order_by("pk"),
            )
        )
        .order_by("requested_at", "pk")
    )
    lines = JournalLine.objects.filter(loan=loan)
    ledger_lines = list(
        lines.select_related("transaction", "account").order_by("-transaction__posted_at", "-pk")[
            :LEDGER_LINES_SHOWN
        ]
    )
    ledger_balances = list(
        lines.order_by("account__code")
        .values("account__code", "account__name", "account__name_zh")
        .annotate(
            balance=Sum("amount"),
            lines=Count("pk"),
            debits=Sum("amount", filter=Q(amount__gt=0)),
        )
    )
    application = loan.application
    events: list[ApplicationEvent] = []
    attempts: list[VerificationAttempt] = []
    manual_review = None
    if application is not None:
        events = list(
            ApplicationEvent.objects.filter(application=application)
            .select_related("actor")
            .order_by("occurred_at", "pk")
        )
        attempts = list(
            VerificationAttempt.objects.filter(session__application=application)
            .select_related("session")
            .order_by("submitted_at", "pk")
        )
        manual_review = (
            ManualReview.objects.filter(application=application).select_related("reviewer").first()
        )
    prepayments = list(
        PrepaymentApplication.objects.filter(loan=loan)
        .select_related("decided_by")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=PrepaymentEvent.objects.select_related("actor").order_by(
                    "occurred_at", "pk"
                ),
            )
        )
        .order_by("submitted_at", "pk")
    )
    overdue_records = list(
        OverdueRecord.objects.filter(loan=loan)
        .select_related("credit_report", "installment")
        .order_by("overdue_from", "pk")
    )
    # Notices about this loan or the application it came from (their links name them).
    about = Q(link__contains=str(loan.public_id))
    if application is not None:
        about |= Q(link__contains=str(application.public_id))
    notifications = list(
        Notification.objects.filter(about, user_id=loan.borrower_id)
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )
    return LoanStory(
        loan=loan,
        borrower=borrower,
        terms=terms,
        versions=versions,
        repayments=repayments,
        refunds=list(Refund.objects.filter(loan=loan).order_by("requested_at", "pk")),
        ledger_lines=ledger_lines,
        ledger_line_count=sum(row["lines"] for row in ledger_balances),
        ledger_balances=ledger_balances,
        events=events,
        attempts=attempts,
        manual_review=manual_review,
        prepayments=prepayments,
        overdue_records=overdue_records,
        notifications=notifications,
        close_failures=list(CloseFailure.objects.filter(loan=loan).order_by("occurred_at", "pk")),
        collection_notes=list(
            CollectionNote.objects.filter(loan=loan)
            .select_related("author")
            .order_by("created_at", "pk")
        ),
        promises=list(
            PromiseToPay.objects.filter(loan=loan)
            .select_related("author")
            .order_by("created_at", "pk")
        ),
    )
