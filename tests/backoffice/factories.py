"""A small book of loans whose every dashboard figure is known by hand: loans disbursed and
paid through the services on chosen dates, their aging set on the loan (what the close of
business keeps), overdue records, face checks, queues and a close that could not process a
loan written as the services would leave them."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from closing.models import CloseFailure
from common.models import CloseRun
from loans.models import ApplicationStatus, Loan, Method, RiskRule
from loans.services import loan_application_refuse, loan_application_submit
from repayments.models import OverdueRecord, PrepaymentApplication
from repayments.services import repayment_submit
from tests.accounts.factories import StaffFactory
from tests.loans.factories import CLIENT, MicroProductFactory, borrower
from tests.repayments.factories import disbursed_loan
from verification.models import ManualReview, VerificationAttempt, VerificationSession

D = Decimal


def micro_loan(amount: str, on: dt.date, **user_fields) -> Loan:
    product = MicroProductFactory.create()  # before the profile, which grants its line
    user = borrower(business_date=on, **user_fields)
    return disbursed_loan(
        user, product, amount=amount, term=5, method=Method.EQUAL_PRINCIPAL, on=on
    )


def age(loan: Loan, *, on: dt.date, days_past_due: int) -> None:
    """The loan's oldest unpaid due date so many days before `on` (what the close keeps)."""
    Loan.objects.filter(pk=loan.pk).update(
        oldest_unpaid_due_date=on - dt.timedelta(days=days_past_due)
    )


def pay(loan: Loan, amount: str, on: dt.date, key: str) -> None:
    repayment_submit(
        borrower=loan.borrower,
        loan_public_id=loan.public_id,
        amount=D(amount),
        idempotency_key=key,
        business_date=on,
        now=timezone.now(),
    )


def overdue_record(
    loan: Loan, *, principal: str, overdue_from: dt.date, settled: dt.date | None = None
) -> OverdueRecord:
    row = loan.installments.order_by("number")[0]
    return OverdueRecord.objects.create(
        loan=loan,
        installment=row,
        borrower=loan.borrower,
        due_date=overdue_from - dt.timedelta(days=2),
        overdue_from=overdue_from,
        principal_overdue=D(principal),
        interest_overdue=D("1.00"),
        settled_date=settled,
        retain_until=settled + dt.timedelta(days=5 * 365) if settled else None,
        created_at=timezone.now(),
    )


def face_attempts(loan: Loan, results: list[str]) -> None:
    """Attempts on the loan's application: "pass", "fail" or "no_face"."""
    now = timezone.now()
    assert loan.application is not None
    session = VerificationSession.objects.create(
        application=loan.application,
        borrower=loan.borrower,
        status="completed",
        challenge=["blink"],
        nonce="n",
        created_at=now,
        expires_at=now + dt.timedelta(minutes=5),
        completed_at=now,
    )
    for number, result in enumerate(results, start=1):
        VerificationAttempt.objects.create(
            session=session,
            borrower=loan.borrower,
            number=number,
            submitted_at=now,
            challenge=["blink"],
            passed=result == "pass",
            failure_code="" if result == "pass" else "no_match",
            no_face_seen=result == "no_face",
            match_threshold=D("0.5"),
            frame_count=3,
        )


def face_check_waiting(on: dt.date):
    """An application the risk rules sent to a face check."""
    RiskRule.objects.filter(code="first_loan").update(enabled=True, weight=1000)
    product = MicroProductFactory.create()
    user = borrower(business_date=on)
    application = loan_application_submit(
        borrower=user,
        product=product,
        amount=D("500.00"),
        term=5,
        method=Method.EQUAL_PRINCIPAL,
        idempotency_key=f"refused-{user.pk}",
        client=CLIENT,
        business_date=on,
        now=timezone.now(),
        terms_accepted=True,
    ).application
    assert application.status == ApplicationStatus.FACE_CHECK_REQUIRED
    RiskRule.objects.filter(code="first_loan").update(enabled=False)
    return application


def refused_for_identity(on: dt.date, code: str = "face_check_failed"):
    """An application held for a face check and refused (the face gate's codes)."""
    application = face_check_waiting(on)
    return loan_application_refuse(
        application_id=application.pk, now=timezone.now(), code=code, reason="Face check failed."
    )


def manual_review_waiting(application) -> ManualReview:
    return ManualReview.objects.create(
        application=application,
        borrower=application.borrower,
        reason=ManualReview.Reason.NO_CAMERA,
        requested_at=timezone.now(),
    )


def prepayment_waiting(loan: Loan, on: dt.date) -> PrepaymentApplication:
    return PrepaymentApplication.objects.create(
        loan=loan,
        borrower=loan.borrower,
        kind="full",
        status="submitted",
        requested_date=on + dt.timedelta(days=20),
        installment_number=1,
        principal=loan.principal_outstanding,
        idempotency_key="prepay",
        business_date=on,
        submitted_at=timezone.now(),
    )


def close_failed(loan: Loan, on: dt.date) -> CloseFailure:
    now = timezone.now()
    run = CloseRun.objects.create(
        business_date=on - dt.timedelta(days=1),
        state="completed",
        source=CloseRun.Source.STAFF,
        started_at=now,
        finished_at=now,
    )
    return CloseFailure.objects.create(
        run=run,
        loan=loan,
        business_date=run.business_date,
        step="loans",
        error="boom",
        occurred_at=now,
    )


def staff_member(**fields) -> User:
    return StaffFactory.create(**fields)


@dataclass
class Book:
    on: dt.date
    today: Loan
    this_month: Loan
    dpd_30: Loan
    dpd_31: Loan
    dpd_90: Loan
    dpd_91: Loan
    cancelled: Loan
    settled: Loan


def hand_built_book(on: dt.date) -> Book:
    """Eight loans around `on` (2024-05-10: the month began 9 days before, the 30-day
    trend starts 29 days before)."""
    days = dt.timedelta
    book = Book(
        on=on,
        today=micro_loan("1000.00", on),
        this_month=micro_loan("2000.00", on - days(5)),
        dpd_30=micro_loan("3000.00", on - days(20)),
        dpd_31=micro_loan("4000.00", on - days(100)),
        dpd_90=micro_loan("5000.00", on - days(150)),
        dpd_91=micro_loan("6000.00", on - days(200)),
        cancelled=micro_loan("7000.00", on),
        settled=micro_loan("8000.00", on - days(3)),
    )
    age_book(book)
    Loan.objects.filter(pk=book.cancelled.pk).update(status=Loan.Status.CANCELLED)
    Loan.objects.filter(pk=book.settled.pk).update(
        status=Loan.Status.SETTLED, principal_outstanding=D("0.00"), settled_date=on
    )
    for loan in (book.today, book.this_month, book.dpd_30, book.dpd_31, book.dpd_90, book.dpd_91):
        loan.refresh_from_db()
    return book


def age_book(book: Book) -> None:
    """30, 31, 90 and 91 days past due: each bucket's edge (again after a payment, which
    moves a loan's oldest unpaid due date)."""
    for loan, dpd in ((book.dpd_30, 30), (book.dpd_31, 31), (book.dpd_90, 90), (book.dpd_91, 91)):
        age(loan, on=book.on, days_past_due=dpd)
