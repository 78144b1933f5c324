"""Granting credit lines, and the profile completion that grants them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import BorrowerProfile, User
from accounts.services import borrower_profile_save
from common.request_context import ClientContext
from loans.models import (
    CreditLine,
    CreditScoringPolicy,
    Loan,
    LoanProduct,
    ProductKind,
)
from loans.scoring import ScoringFacts, ScoringPolicy, credit_offer
from loans.selectors import loan_count_ever_overdue


def _policy(product: LoanProduct) -> ScoringPolicy:
    # A product without a tuned policy is scored with the defaults (nothing is written).
    row = CreditScoringPolicy.objects.filter(product=product).first() or CreditScoringPolicy(
        product=product
    )
    return ScoringPolicy(
        base_score=row.base_score,
        prime_age_min=row.prime_age_min,
        prime_age_max=row.prime_age_max,
        prime_age_points=row.prime_age_points,
        email_points=row.email_points,
        tenure_days=row.tenure_days,
        tenure_points=row.tenure_points,
        settled_loan_points=row.settled_loan_points,
        settled_loan_points_cap=row.settled_loan_points_cap,
        overdue_loan_points=row.overdue_loan_points,
        min_score=row.min_score,
        best_rate_score=row.best_rate_score,
        base_limit=row.base_limit,
        limit_per_point=row.limit_per_point,
    )


def _facts(borrower: User, birth_date: dt.date, business_date: dt.date) -> ScoringFacts:
    loans = Loan.objects.filter(borrower=borrower)
    overdue_loans = loan_count_ever_overdue(borrower=borrower, business_date=business_date)
    return ScoringFacts(
        birth_date=birth_date,
        has_email=bool(borrower.email),
        joined_on=borrower.date_joined.date(),
        settled_loans=loans.filter(status=Loan.Status.SETTLED).count(),
        overdue_loans=overdue_loans,
    )


def credit_line_grant(
    *, borrower: User, business_date: dt.date, now: dt.datetime
) -> CreditLine | None:
    """Grant the borrower a line on every offered micro-loan product they have none on,
    from the product's scoring policy; returns the line of the first such product (by
    code), or None if the score is too low or no product is offered.

    Runs inside the caller's transaction (profile completion commits it), so a profile is
    never complete without the decision on its line. An existing line is kept as it is."""
    profile = borrower.profile
    products = LoanProduct.objects.filter(kind=ProductKind.MICRO, is_active=True).order_by(
        "code", "pk"
    )
    granted: CreditLine | None = None
    with transaction.atomic():
        for product in products:
            line = CreditLine.objects.filter(borrower=borrower, product=product).first()
            if line is None:
                offer = credit_offer(
                    _facts(borrower, profile.birth_date, business_date),
                    _policy(product),
                    on=business_date,
                    limit_range=(product.credit_limit_min, product.credit_limit_max),
                    rate_range=(product.daily_rate_min, product.daily_rate_max),
                )
                if offer is None:
                    continue
                line = CreditLine.objects.create(
                    borrower=borrower,
                    product=product,
                    limit=offer.limit,
                    daily_rate=offer.daily_rate,
                    granted_at=now,
                )
            granted = granted or line
    return granted


def borrower_profile_submit(
    *,
    user: User,
    business_date: dt.date,
    now: dt.datetime,
    context: ClientContext,
    full_name: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    bank_card_number: str | None = None,
    bank_name: str | None = None,
    credit_report_authorised: bool = False,
    language: str = "",
) -> BorrowerProfile:
    """Complete or edit the borrower's real-name profile (`accounts.services.
    borrower_profile_save`, same fields, errors and credit-report authorisation, which a
    completion needs) and, when this completes it, grant the
    credit line (`credit_line_grant`) in the profile's own transaction: a profile is never
    complete without the decision on its line. An edit grants nothing."""
    return borrower_profile_save(
        user=user,
        business_date=business_date,
        now=now,
        context=context,
        full_name=full_name,
        id_number=id_number,
        phone=phone,
        bank_card_number=bank_card_number,
        bank_name=bank_name,
        credit_report_authorised=credit_report_authorised,
        language=language,
        on_completed=lambda profile: credit_line_grant(
            borrower=profile.user, business_date=business_date, now=now
        ),
    )
