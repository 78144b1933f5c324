"""Quoting a draw: the product rules, the borrower's price and the schedule they would get,
exactly as disbursement will build it. The apply page's live preview, the submission and
the disbursement all use it, so what a borrower sees is what they sign."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import BorrowerProfile, User
from common.exceptions import InvalidInput
from common.money import round_money
from common.templatetags.money import yuan
from loans.models import ContractTerms, CreditLine, Loan, LoanProduct, ProductKind
from loans.pricing import schedule_quote
from loans.schedule import (
    DueDateRule,
    InterestRate,
    RepaymentMethod,
    Schedule,
    default_first_due_date,
    first_due_date_on_repayment_day,
    repayment_day_for_first_draw,
)
from loans.selectors import borrower_has_overdue, credit_line_available


def draw_request_validate(
    *,
    product: LoanProduct,
    line: CreditLine | None,
    amount: Decimal,
    term: int,
    method: str,
    borrower: User,
) -> None:
    """Each product rule with its own message (DOMAIN.md §2)."""
    if not product.is_active:
        raise InvalidInput(
            _("This product is not offered at the moment."), code="product_not_offered"
        )
    if not BorrowerProfile.objects.filter(user=borrower).exists():
        raise InvalidInput(
            _("Complete your real-name profile and bind a bank card before you borrow."),
            code="profile_incomplete",
        )
    if product.kind == ProductKind.MICRO:
        if line is None:
            raise InvalidInput(
                _("You have no credit line for this product yet: complete your profile first."),
                code="no_credit_line",
            )
        if line.status != CreditLine.Status.ACTIVE:
            raise InvalidInput(_("Your credit line is not active."), code="credit_line_inactive")
    if amount != round_money(amount) or amount <= 0:
        raise InvalidInput(_("Enter an amount in yuan, e.g. 1000."), code="amount_invalid")
    if amount < product.min_draw:
        raise InvalidInput(
            _("The smallest amount you can borrow is %(amount)s.")
            % {"amount": yuan(product.min_draw)},
            code="amount_below_minimum",
        )
    if amount % product.draw_step != 0:
        raise InvalidInput(
            _("The amount must be a multiple of %(step)s.") % {"step": yuan(product.draw_step)},
            code="amount_not_a_multiple",
        )
    if amount > product.max_draw:
        raise InvalidInput(
            _("The largest amount for one loan is %(amount)s.")
            % {"amount": yuan(product.max_draw)},
            code="amount_above_maximum",
        )
    if line is not None:
        available = credit_line_available(line=line)
        if amount > available:
            raise InvalidInput(
                _("The amount is more than your available credit of %(available)s.")
                % {"available": yuan(available)},
                code="amount_above_available",
            )
    open_loans = Loan.objects.filter(
        borrower=borrower, product=product, status=Loan.Status.ACTIVE
    ).count()
    if open_loans >= product.max_open_draws:
        raise InvalidInput(
            ngettext(
                "You already have %(n)s open loan, the most this product allows.",
                "You already have %(n)s open loans, the most this product allows.",
                open_loans,
            )
            % {"n": open_loans},
            code="too_many_open_loans",
        )
    if not product.lend_while_overdue and borrower_has_overdue(borrower=borrower):
        raise InvalidInput(
            _("Something is overdue on one of your loans: pay it before you borrow again."),
            code="overdue_unpaid",
        )
    if term not in product.offered_terms:
        choices = ", ".join(str(t) for t in product.allowed_terms) or (
            f"{product.term_min}-{product.term_max}"
        )
        raise InvalidInput(
            _("Choose a term of %(choices)s months.") % {"choices": choices},
            code="term_not_offered",
        )
    if method not in product.offered_methods:
        raise InvalidInput(_("This repayment method is not offered."), code="method_not_offered")


def draw_rate(product: LoanProduct, line: CreditLine | None) -> InterestRate:
    if product.kind == ProductKind.MICRO:
        assert line is not None  # checked by _validate_request
        return InterestRate.daily(line.daily_rate)
    assert product.annual_rate is not None  # a database constraint of bank products
    return InterestRate.annual(product.annual_rate)


def due_date_rule_of(terms: ContractTerms) -> DueDateRule:
    """The due-date rule of a product's offer or of accepted contract terms."""
    return DueDateRule(
        late_first_draw_day=terms.late_first_draw_day,
        fallback_repayment_day=terms.fallback_repayment_day,
        min_days_to_first_due=terms.min_days_to_first_due,
    )


def first_due_date_for(
    product: LoanProduct,
    line: CreditLine | None,
    start: dt.date,
    *,
    rule: DueDateRule | None = None,
) -> tuple[dt.date | None, int | None]:
    """The first due date of a draw made on `start` (None for a bank loan: the engine counts
    its due dates monthly from the start), and the repayment day the line gets if this is its
    first draw (None when the line already has one, or for a bank loan). `rule` is the
    accepted contract's due-date rule (the product's offer when not given)."""
    if product.kind != ProductKind.MICRO or line is None:
        return None, None
    rule = rule or due_date_rule_of(product)
    if line.repayment_day is None:
        return (
            default_first_due_date(start, product.rate_basis, rule),
            repayment_day_for_first_draw(start, rule),
        )
    return first_due_date_on_repayment_day(start, line.repayment_day, rule), None


def loan_quote(
    *,
    borrower: User,
    product: LoanProduct,
    line: CreditLine | None,
    amount: Decimal,
    term: int,
    method: str,
    business_date: dt.date,
) -> Schedule:
    """Validate a draw and return the schedule it would have if disbursed today."""
    draw_request_validate(
        product=product, line=line, amount=amount, term=term, method=method, borrower=borrower
    )
    first_due, _ = first_due_date_for(product, line, business_date)
    return schedule_quote(
        principal=amount,
        term=term,
        method=RepaymentMethod(method),
        rate=draw_rate(product, line),
        start_date=business_date,
        first_due_date=first_due,
        rounding_unit=product.installment_rounding_unit,
        due_date_rule=product.due_date_rule,
    )
