"""The shared core of every repayment: lock a loan, see what it owes on a date, apply an
amount by the waterfall, and post it.

Lock order (every service that changes a loan's money takes them in this order): the loan
row, then its live installments in id order, then its overpayment balance row. Callers hold
the transaction (`transaction.atomic(durable=True)` in the service that moves money)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min

from common.money import ZERO
from ledger.accounts import AccountCode
from ledger.models import JournalTransaction
from ledger.services import JournalEntry, Posting, credit, debit, journal_entries_post
from loans.models import Installment, Loan
from loans.schedule.accrual import (
    InstallmentAccrual,
    Standing,
    accrual_after_payment,
    installment_standing,
    owed_on,
)
from loans.selectors import accrual_terms_of
from repayments.allocation import (
    AllocationResult,
    Component,
    InstallmentOwing,
    allocate,
    installment_owing,
)
from repayments.models import (
    Allocation,
    CreditReportRecord,
    OverdueRecord,
    OverpaymentBalance,
    OverpaymentMovement,
    Repayment,
)

LIVE = (Installment.Status.PENDING, Installment.Status.DUE, Installment.Status.OVERDUE)

# The waterfall's components and what each pays on an installment.
_INTEREST = (Component.OVERDUE_INTEREST, Component.CURRENT_INTEREST)
_PRINCIPAL = (Component.OVERDUE_PRINCIPAL, Component.CURRENT_PRINCIPAL)


def loan_lock(loan_id: int) -> Loan:
    return Loan.objects.select_for_update().get(pk=loan_id)


def live_installments_lock(loan: Loan) -> list[Installment]:
    """The loan's unpaid rows, locked (in id order), oldest due date first."""
    rows = list(
        Installment.objects.select_for_update().filter(loan=loan, status__in=LIVE).order_by("pk")
    )
    return sorted(rows, key=lambda row: (row.due_date, row.number, row.pk))


def live_installments(loan: Loan) -> list[Installment]:
    return list(
        Installment.objects.filter(loan=loan, status__in=LIVE).order_by("due_date", "number", "pk")
    )


def overpayment_balance_lock(loan: Loan) -> OverpaymentBalance:
    balance, _ = OverpaymentBalance.objects.get_or_create(loan=loan)
    return OverpaymentBalance.objects.select_for_update().get(pk=balance.pk)


def owing_of(loan: Loan, rows: Sequence[Installment], on: dt.date) -> list[InstallmentOwing]:
    terms = accrual_terms_of(loan)
    return [
        installment_owing(
            key=row.pk,
            terms=terms,
            state=InstallmentAccrual.from_row(row),
            on=on,
            penalty_paid=row.penalty_paid,
            compound_paid=row.compound_paid,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class AmountDue:
    """What a loan owes now (its due and overdue installments), by component."""

    on: dt.date
    penalty: Decimal
    compound: Decimal
    interest: Decimal
    principal: Decimal
    overdue: Decimal  # of the total, what is overdue (past grace)

    @property
    def total(self) -> Decimal:
        return self.penalty + self.compound + self.interest + self.principal


def amount_due(loan: Loan, rows: Sequence[Installment], on: dt.date) -> AmountDue:
    owing = owing_of(loan, rows, on)
    overdue = sum(
        (o.penalty + o.compound + o.interest + o.principal)
        for o in owing
        if o.standing is Standing.OVERDUE
    )
    return AmountDue(
        on=on,
        penalty=sum((o.penalty for o in owing), ZERO),
        compound=sum((o.compound for o in owing), ZERO),
        interest=sum((o.interest for o in owing), ZERO),
        principal=sum((o.principal for o in owing), ZERO),
        overdue=Decimal(overdue),
    )


def catch_up_accrual(loan: Loan, rows: Sequence[Installment], *, on: dt.date) -> list[JournalEntry]:
    """A loan the close could not process is recognised by the ledger only up to its
    `close_pending_from`; a payment brings it to the payment date first (DOMAIN.md §5:
    nothing is paid that the ledger has not recognised), per loan. The loan then counts as
    closed up to `on` (the caller clears the flag when `on` is the open business date)."""
    since = loan.close_pending_from
    if since is None or since >= on:
        return []
    terms = accrual_terms_of(loan)
    interest = penalty = compound = ZERO
    for row in rows:
        state = InstallmentAccrual.from_row(row)
        delta = owed_on(terms, state, on) - owed_on(terms, state, since)
        interest += delta.interest
        penalty += delta.penalty
        compound += delta.compound
    entries = []
    for kind, amount, receivable, income in (
        (
            JournalTransaction.Kind.INTEREST_ACCRUAL,
            interest,
            AccountCode.INTEREST_RECEIVABLE,
            AccountCode.INTEREST_INCOME,
        ),
        (
            JournalTransaction.Kind.PENALTY_ACCRUAL,
            penalty,
            AccountCode.PENALTY_RECEIVABLE,
            AccountCode.PENALTY_INCOME,
        ),
        (
            JournalTransaction.Kind.COMPOUND_ACCRUAL,
            compound,
            AccountCode.COMPOUND_INTEREST_RECEIVABLE,
            AccountCode.COMPOUND_INTEREST_INCOME,
        ),
    ):
        if amount:
            entries.append(
                JournalEntry(
                    idempotency_key=f"{kind}:{loan.public_id}:{since}:{on}",
                    kind=kind,
                    business_date=on,
                    postings=[debit(receivable, amount, loan.pk), credit(income, amount, loan.pk)],
                    description=f"Accrual of loan {loan.public_id} from {since} to {on}",
                )
            )
    return entries


@dataclass(frozen=True)
class Applied:
    """What an amount did to a loan: the waterfall's result and the totals per component."""

    result: AllocationResult
    penalty: Decimal
    compound: Decimal
    interest: Decimal
    principal: Decimal

    @property
    def remainder(self) -> Decimal:
        return self.result.remainder


def apply_amount(
    *,
    loan: Loan,
    rows: Sequence[Installment],
    amount: Decimal,
    on: dt.date,
    repayment: Repayment | None,
) -> Applied:
    """Allocate `amount` over the locked live rows by the loan's frozen repayment order and
    write it to them: the paid amounts, the accrual spans cut where a base changed, paid
    rows marked paid, the loan's outstanding principal and oldest unpaid due date, and the
    receipt lines (when a repayment is given). Posts nothing."""
    owing = owing_of(loan, rows, on)
    result = allocate(amount=amount, installments=owing, order=loan.repayment_allocation_order)
    terms = accrual_terms_of(loan)
    by_row = result.by_installment()
    standing_of = {o.key: o.standing for o in owing}
    totals = {"penalty": ZERO, "compound": ZERO, "interest": ZERO, "principal": ZERO}
    receipt: list[Allocation] = []
    for row in rows:
        paid = by_row.get(row.pk)
        if not paid:
            continue
        penalty = paid.get(Component.PENALTY, ZERO)
        compound = paid.get(Component.COMPOUND, ZERO)
        interest = sum((paid.get(c, ZERO) for c in _INTEREST), ZERO)
        principal = sum((paid.get(c, ZERO) for c in _PRINCIPAL), ZERO)
        state = accrual_after_payment(
            terms,
            InstallmentAccrual.from_row(row),
            on,
            principal_paid=principal,
            interest_paid=interest,
        )
        for name in InstallmentAccrual.FIELDS:
            if hasattr(row, name):
                setattr(row, name, getattr(state, name))
        row.penalty_paid += penalty
        row.compound_paid += compound
        for name, value in (
            ("penalty", penalty),
            ("compound", compound),
            ("interest", interest),
            ("principal", principal),
        ):
            totals[name] += value
            if value and repayment is not None:
                receipt.append(
                    Allocation(
                        repayment=repayment,
                        installment=row,
                        component=name,
                        standing=str(standing_of[row.pk]),
                        amount=value,
                    )
                )
        owed = owed_on(terms, state, on)
        if (
            row.principal_paid == row.principal
            and row.interest_paid == row.interest
            and row.penalty_paid == owed.penalty
            and row.compound_paid == owed.compound
        ):
            row.status = Installment.Status.PAID
            row.paid_date = on
        elif installment_standing(due_date=row.due_date, grace_days=loan.grace_days, on=on) is (
            Standing.OVERDUE
        ):
            row.status = Installment.Status.OVERDUE
        row.save()
    if receipt:
        Allocation.objects.bulk_create(receipt)
    paid_ids = [row.pk for row in rows if row.status == Installment.Status.PAID]
    if paid_ids:
        records_settle(installment_ids=paid_ids, on=on)
    loan.principal_outstanding -= totals["principal"]
    loan_refresh_standing(loan, on=on)
    return Applied(
        result=result,
        penalty=totals["penalty"],
        compound=totals["compound"],
        interest=totals["interest"],
        principal=totals["principal"],
    )


RECORD_RETENTION_YEARS = 5


def records_settle(*, installment_ids: Sequence[int], on: dt.date) -> None:
    """Overdue and credit-report records of installments paid up are kept 5 years after
    the debt is settled (DOMAIN.md §6)."""
    keep = (
        on.replace(year=on.year + RECORD_RETENTION_YEARS)
        if not (on.month == 2 and on.day == 29)
        else dt.date(on.year + RECORD_RETENTION_YEARS, 2, 28)
    )
    records = OverdueRecord.objects.filter(
        installment_id__in=installment_ids, settled_date__isnull=True
    )
    CreditReportRecord.objects.filter(overdue_record__in=records).update(retain_until=keep)
    records.update(settled_date=on, retain_until=keep)


def loan_refresh_standing(loan: Loan, *, on: dt.date) -> None:
    """Recompute the loan's oldest unpaid due date and settle it when nothing is left."""
    unpaid = Installment.objects.filter(loan=loan, status__in=LIVE).aggregate(d=Min("due_date"))
    loan.oldest_unpaid_due_date = unpaid["d"]
    fields = ["principal_outstanding", "oldest_unpaid_due_date"]
    if loan.oldest_unpaid_due_date is None and loan.principal_outstanding == 0:
        loan.status = Loan.Status.SETTLED
        loan.settled_date = on
        fields += ["status", "settled_date"]
    loan.save(update_fields=fields)


def receipt_postings(
    loan: Loan, applied: Applied, *, received: Decimal, fee: Decimal = ZERO, prepaid: Decimal = ZERO
) -> list[Posting]:
    """The journal lines of money received for a loan: the bank account receives it; it
    pays the receivables as allocated; the rest is held as the borrower's overpayment."""
    postings = [debit(AccountCode.SETTLEMENT_BANK, received, loan.pk)]
    for account, amount in (
        (AccountCode.PENALTY_RECEIVABLE, applied.penalty),
        (AccountCode.COMPOUND_INTEREST_RECEIVABLE, applied.compound),
        (AccountCode.INTEREST_RECEIVABLE, applied.interest),
        (AccountCode.LOAN_PRINCIPAL, applied.principal + prepaid),
        (AccountCode.FEE_RECEIVABLE, fee),
        (AccountCode.BORROWER_OVERPAYMENT, applied.remainder),
    ):
        if amount:
            postings.append(credit(account, amount, loan.pk))
    return postings


def overpayment_hold(
    *, loan: Loan, amount: Decimal, repayment: Repayment, on: dt.date, now: dt.datetime
) -> None:
    """Keep money beyond what was due as the borrower's overpayment for this loan."""
    if amount <= 0:
        return
    balance = overpayment_balance_lock(loan)
    balance.amount += amount
    balance.save(update_fields=["amount"])
    OverpaymentMovement.objects.create(
        loan=loan,
        kind=OverpaymentMovement.Kind.RECEIVED,
        amount=amount,
        repayment=repayment,
        business_date=on,
        occurred_at=now,
    )


def post(entries: Iterable[JournalEntry], *, now: dt.datetime) -> None:
    items = list(entries)
    if items:
        journal_entries_post(entries=items, now=now)
