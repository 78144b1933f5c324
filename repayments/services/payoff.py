"""Micro-loan payoff (DOMAIN.md §2, §5): the whole draw, on the current business date, with
interest to that day; paying it closes the draw and its principal returns to the line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from common.exceptions import Conflict, InvalidInput
from loans.models import Installment, Loan, ProductKind, ScheduleVersion
from loans.schedule.accrual import InstallmentAccrual, interest_owed_on
from loans.selectors import accrual_terms_of
from repayments.allocation import PayoffInstallment, PayoffQuote, micro_payoff_quote
from repayments.services import core


def _quote(loan: Loan, rows: Sequence[Installment], on: dt.date) -> PayoffQuote:
    if loan.product.kind != ProductKind.MICRO:
        raise Conflict(
            "A bank loan is prepaid through a written application, not paid off here.",
            code="payoff_not_micro",
        )
    if loan.status != Loan.Status.ACTIVE:
        raise Conflict("This loan is already closed.", code="loan_not_active")
    if on <= loan.start_date:
        raise Conflict(
            "A draw can be paid off from the day after it was drawn.", code="payoff_same_day"
        )
    return micro_payoff_quote(
        terms=accrual_terms_of(loan),
        draw_date=loan.start_date,
        installments=[
            PayoffInstallment(
                key=row.pk,
                state=InstallmentAccrual.from_row(row),
                penalty_paid=row.penalty_paid,
                compound_paid=row.compound_paid,
            )
            for row in rows
        ],
        on=on,
    )


def payoff_quote(*, loan: Loan, business_date: dt.date, on: dt.date | None = None) -> PayoffQuote:
    """What paying the draw off costs today (the current business date): its principal,
    interest to today, and anything overdue. A quote for another date is not offered."""
    if on is not None and on != business_date:
        raise InvalidInput(
            f"A payoff is quoted for today, {business_date}, only.", code="payoff_date_not_today"
        )
    return _quote(loan, core.live_installments(loan), business_date)


def payoff_restructure(
    *, loan: Loan, rows: list[Installment], amount: Decimal, on: dt.date, now: dt.datetime
) -> list[Installment]:
    """Inside the payment's transaction (rows locked): when `amount` pays the whole draw,
    its schedule ends today in a payoff version: the running period ends today with its
    interest to today, rows not started yet are folded into it, and the rows to pay are
    returned. A smaller amount (a payoff whose charge was settled on a later day, when more
    was owed) is applied as an ordinary payment instead."""
    quote = _quote(loan, rows, on)
    if amount < quote.total:
        return rows
    running = [row for row in rows if row.period_start_date < on < row.due_date]
    future = [row for row in rows if row.period_start_date >= on]
    if not running and not future:
        return rows
    terms = accrual_terms_of(loan)
    due_rows = [row for row in rows if row.due_date <= on]
    if running:
        # The period under way ends today, with its interest to today.
        target = running[0]
        interest = interest_owed_on(terms, InstallmentAccrual.from_row(target), on)
        due = on
    elif due_rows:
        # Paid off on a due date: that row keeps its interest and takes the rest.
        target = max(due_rows, key=lambda row: (row.due_date, row.number))
        interest = target.interest
        due = target.due_date
    else:
        # Every earlier row is paid and the next period starts today: nothing has accrued
        # in it, so the payoff row is due today and owes no interest.
        target = min(future, key=lambda row: (row.due_date, row.number))
        interest = interest_owed_on(terms, InstallmentAccrual.from_row(target), on)
        due = on
    version = ScheduleVersion.objects.create(
        loan=loan,
        number=(
            loan.schedule_versions.order_by("-number").values_list("number", flat=True).first() or 0
        )
        + 1,
        reason=ScheduleVersion.Reason.PAYOFF,
        effective_date=on,
        principal=loan.principal_outstanding,
        source=ScheduleVersion.Source.BORROWER,
        actor=loan.borrower,
        note="The draw was paid off.",
        created_at=now,
    )
    replaced = [target, *(row for row in future if row is not target)]
    Installment.objects.filter(pk__in=[row.pk for row in replaced]).update(
        status=Installment.Status.SUPERSEDED, accruing=False
    )
    payoff_row = Installment.objects.create(
        loan=loan,
        schedule_version=version,
        number=target.number,
        status=Installment.Status.DUE,
        period_start_date=target.period_start_date,
        due_date=due,
        days=(due - target.period_start_date).days,
        opening_balance=target.opening_balance,
        principal=sum(
            (row.principal - row.principal_paid for row in replaced), target.principal_paid
        ),
        interest=interest,
        interest_span_start_date=target.interest_span_start_date,
        interest_span_base=target.interest_span_base,
        interest_accrued_before_span=target.interest_accrued_before_span,
        penalty_span_start_date=target.penalty_span_start_date,
        penalty_accrued_before_span=target.penalty_accrued_before_span,
        compound_span_start_date=target.compound_span_start_date,
        compound_accrued_before_span=target.compound_accrued_before_span,
        principal_paid=target.principal_paid,
        interest_paid=target.interest_paid,
        penalty_paid=target.penalty_paid,
        compound_paid=target.compound_paid,
    )
    kept = [row for row in rows if row not in replaced]
    return sorted([*kept, payoff_row], key=lambda row: (row.due_date, row.number, row.pk))


def payoff_amount_check(*, loan: Loan, amount: Decimal | None, business_date: dt.date) -> Decimal:
    """The amount of a payoff: today's quote's total. Paying part of a draw early is not a
    payoff (a draw is paid off whole), so any other amount is refused."""
    quote = payoff_quote(loan=loan, business_date=business_date)
    if amount is not None and amount != quote.total:
        raise InvalidInput(
            f"A payoff pays the whole draw: {quote.total} today. Part of a draw cannot be "
            "paid off early; pay what is due instead.",
            code="payoff_amount_mismatch",
        )
    return quote.total
