"""Reads of the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from common.money import MoneyField
from ledger.models import Account, JournalLine

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    kind: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    rows: tuple[TrialBalanceRow, ...]

    @property
    def total_debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), _ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), _ZERO)

    @property
    def difference(self) -> Decimal:
        """Debits − credits over the whole ledger: 0.00 in a balanced ledger."""
        return self.total_debit - self.total_credit

    @property
    def is_balanced(self) -> bool:
        return self.difference == 0


def trial_balance() -> TrialBalance:
    """Debit and credit totals of every account, in one query."""
    money = MoneyField()
    accounts = Account.objects.annotate(
        debit=Coalesce(
            Sum("lines__amount", filter=Q(lines__amount__gt=0)), _ZERO, output_field=money
        ),
        credit=Coalesce(
            Sum("lines__amount", filter=Q(lines__amount__lt=0)), _ZERO, output_field=money
        ),
    ).order_by("code", "pk")
    return TrialBalance(
        rows=tuple(
            TrialBalanceRow(
                code=account.code,
                name=account.name,
                kind=account.kind,
                debit=account.debit,
                credit=-account.credit,
            )
            for account in accounts
        )
    )


def account_balance(*, code: str, loan_id: int | None = None) -> Decimal:
    """Debits − credits on one account, optionally for one loan's sub-ledger."""
    lines = JournalLine.objects.filter(account__code=code)
    if loan_id is not None:
        lines = lines.filter(loan_id=loan_id)
    total = lines.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else _ZERO
