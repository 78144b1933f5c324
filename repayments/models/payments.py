"""Repayments (DOMAIN.md §5): money coming back from borrowers, how it was allocated, what
waits as an overpayment and goes back as a refund, and written prepayment applications of
bank loans with their documents.

Invariants (database):
- a repayment is positive; its idempotency key is unique per borrower and kind; it moves
  pending → succeeded | failed only (a settled one has its time); a succeeded repayment's
  allocations sum to its amount (PostgreSQL constraint trigger at commit);
- an allocation line is positive, one per (repayment, installment, component), insert-only;
- a refund is positive and at most once per idempotency key; the loan's overpayment
  balance never goes negative (a check on the loan's balance row);
- a prepayment application moves only as `PREPAYMENT_TRANSITIONS` allows, one service per
  move, an event row per change (insert-only); at most one open application per loan;
  a partial one names its principal (positive) and its option; the document of each kind is
  stored once per application; every staff look at a document is logged (insert-only).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField


class Repayment(models.Model):
    """Money received for a loan: a borrower's payment, a card collection on a due date, a
    micro-loan payoff or the charge of an approved prepayment. An outbox row: written
    first, the gateway called outside the transaction with its key, the outcome recorded
    under a lock, the money allocated in the same transaction as its journal entry."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        COLLECTION = "collection", _("Collection on the due date")
        PAYOFF = "payoff", _("Payoff")
        PREPAYMENT = "prepayment", _("Prepayment")
        # Held overpayment applied to an installment on its due date (no money moves in).
        OVERPAYMENT = "overpayment", _("Overpayment applied")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Received")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Each key leads an index below (by loan, and the borrower's once-only key), so
    # neither has one of its own.
    loan = models.ForeignKey(
        "loans.Loan", on_delete=models.PROTECT, related_name="repayments", db_index=False
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="repayments",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    amount = MoneyField(_("amount"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    # The business date the payment is valued on (what is owed is brought to it first).
    business_date = models.DateField(_("value date"))
    card_masked = models.CharField(_("card"), max_length=32, blank=True)
    gateway = models.CharField(max_length=64, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    overpaid = MoneyField(_("held as overpayment"), default=0)
    requested_at = models.DateTimeField(_("requested at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(overpaid__gte=0) & Q(overpaid__lte=models.F("amount")),
                name="repayment_overpaid_within_amount",
            ),
            models.UniqueConstraint(
                fields=["borrower", "kind", "idempotency_key"], name="repayment_key_once"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(completed_at__isnull=False),
                name="repayment_completed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["loan", "requested_at"], name="repayment_by_loan"),
            models.Index(
                fields=["requested_at"],
                condition=Q(status="pending"),
                name="repayment_pending",
            ),
            # Money received per value date (the back office's dashboard and trends).
            models.Index(
                fields=["business_date"],
                condition=Q(status="succeeded"),
                name="repayment_received_by_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.status}"


class Allocation(models.Model):
    """One line of a receipt: how much of a repayment went to which installment and
    component (DOMAIN.md §5's waterfall). Insert-only."""

    class Component(models.TextChoices):
        PENALTY = "penalty", _("Penalty interest")
        COMPOUND = "compound", _("Compound interest")
        INTEREST = "interest", _("Interest")
        PRINCIPAL = "principal", _("Principal")
        FEE = "fee", _("Prepayment fee")

    repayment = models.ForeignKey(Repayment, on_delete=models.PROTECT, related_name="allocations")
    installment = models.ForeignKey(
        "loans.Installment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    component = models.CharField(max_length=16, choices=Component.choices)
    # Whether the installment was overdue or current when this was paid (the waterfall's
    # order distinguishes them); empty for a fee or a prepaid principal.
    standing = models.CharField(max_length=16, blank=True)
    amount = MoneyField(_("amount"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.UniqueConstraint(
                fields=["repayment", "installment", "component"],
                name="allocation_once_per_component",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.amount}"


class OverpaymentMovement(models.Model):
    """The borrower's money held for a loan beyond what was due (a liability): what came
    in with a repayment, what was applied to an installment on its due date, and what was
    refunded. Insert-only; the loan's balance is the sum (kept on `OverpaymentBalance`)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received with a repayment")
        APPLIED = "applied", _("Applied to an installment")
        REFUND_REQUESTED = "refund_requested", _("Refund requested")
        REFUND_RETURNED = "refund_returned", _("Refund failed: held again")

    loan = models.ForeignKey(
        "loans.Loan", on_delete=models.PROTECT, related_name="overpayment_movements"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # Signed: + adds to what is held, − takes from it.
    amount = MoneyField(_("amount"))
    repayment = models.ForeignKey(
        Repayment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        "repayments.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    business_date = models.DateField()
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("overpayment movement")
        verbose_name_plural = _("overpayment movements")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="overpayment_movement_nonzero")
        ]
        indexes = [models.Index(fields=["loan", "occurred_at"], name="overpayment_by_loan")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class OverpaymentBalance(models.Model):
    """What is held for a loan now: the sum of its movements, changed under this row's
    lock by the services; never negative (a database check)."""

    loan = models.OneToOneField(
        "loans.Loan", on_delete=models.PROTECT, related_name="overpayment_balance"
    )
    amount = MoneyField(_("held"), default=0)

    class Meta:
        verbose_name = _("overpayment held")
        verbose_name_plural = _("overpayments held")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="overpayment_balance_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.amount}"


class Refund(models.Model):
    """Held overpayment sent back to the borrower's card through the gateway (an outbox
    row like a payout)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="refunds")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = MoneyField(_("amount"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=100)
    card_masked = models.CharField(_("card"), max_length=32, blank=True)
    gateway = models.CharField(max_length=64, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    business_date = models.DateField()
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(fields=["borrower", "idempotency_key"], name="refund_key_once"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(completed_at__isnull=False),
                name="refund_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.status}"
