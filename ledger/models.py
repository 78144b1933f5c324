"""Double-entry ledger: a chart of accounts and balanced, insert-only journal transactions.

Amounts on lines are signed: a debit is positive, a credit negative, so a transaction is
balanced when its lines sum to zero and the whole ledger always sums to zero.

Invariants (kept by the database, not only by code):
- the lines of a transaction sum to 0.00 and there are at least two of them: a deferred
  constraint trigger checks every transaction at commit (PostgreSQL), so no path,
  raw SQL included, can commit an unbalanced transaction;
- journal transactions and lines are insert-only: a trigger refuses UPDATE and DELETE;
  a mistake is corrected by a reversing transaction;
- every transaction carries a unique idempotency key: the same business event can never
  be posted twice;
- a line's amount is never zero; a transaction is reversed at most once.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField
from ledger.accounts import AccountKind


class Account(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=[(k.value, k.name.title()) for k in AccountKind]
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("chart of accounts")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalTransaction(models.Model):
    class Kind(models.TextChoices):
        FUNDING = "funding", _("Funding")
        DISBURSEMENT = "disbursement", _("Disbursement")
        REPAYMENT = "repayment", _("Repayment")
        INTEREST_ACCRUAL = "interest_accrual", _("Interest accrual")
        PENALTY_ACCRUAL = "penalty_accrual", _("Penalty accrual")
        COMPOUND_ACCRUAL = "compound_accrual", _("Compound interest accrual")
        PAYOFF = "payoff", _("Payoff")
        PREPAYMENT = "prepayment", _("Prepayment")
        OVERPAYMENT_APPLIED = "overpayment_applied", _("Overpayment applied")
        REFUND = "refund", _("Refund")
        FEE = "fee", _("Fee")
        WRITE_OFF = "write_off", _("Write-off")
        REVERSAL = "reversal", _("Reversal")
        ADJUSTMENT = "adjustment", _("Adjustment")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    business_date = models.DateField(_("business date"))
    posted_at = models.DateTimeField(_("posted at"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )

    class Meta:
        verbose_name = _("journal transaction")
        verbose_name_plural = _("journal transactions")
        indexes = [models.Index(fields=["business_date", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.business_date} {self.idempotency_key}"


class JournalLine(models.Model):
    transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, related_name="lines"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = MoneyField(_("amount (debit +, credit −)"))
    loan = models.ForeignKey(
        "loans.Loan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_lines",
        help_text=_("The loan this line belongs to, for the loan's sub-ledger."),
    )

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="journal_line_nonzero")
        ]
        indexes = [models.Index(fields=["loan", "account"], name="journal_line_loan_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"

    @property
    def debit(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None
