"""Loans (draws) and their installments."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField, RateField
from loans.models.applications import LoanApplication
from loans.models.credit import CreditLine
from loans.models.products import LoanProduct, Method
from loans.schedule import RateBasis


class Loan(models.Model):
    """A draw on a credit line (micro-loan) or a bank installment loan."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SETTLED = "settled", _("Settled")
        CANCELLED = "cancelled", _("Cancelled (disbursement reversed)")
        WRITTEN_OFF = "written_off", _("Written off")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="loans"
    )
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="loans")
    credit_line = models.ForeignKey(
        CreditLine, null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    application = models.OneToOneField(
        LoanApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="loan"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)

    # Contract terms, frozen at disbursement.
    principal = MoneyField(_("principal"))
    term = models.PositiveSmallIntegerField(_("term (periods)"))
    method = models.CharField(_("method"), max_length=32, choices=Method.choices)
    daily_rate = RateField(_("daily rate"), null=True, blank=True)
    annual_rate = RateField(_("annual rate"), null=True, blank=True)
    installment_rounding_unit = MoneyField(default=Decimal("0.01"))
    grace_days = models.PositiveSmallIntegerField(default=1)
    penalty_rate_multiplier = RateField(default=Decimal("1.5"))
    compound_interest_enabled = models.BooleanField(default=True)
    annualized_rate_simple = RateField(_("annualized rate (simple)"))
    annualized_rate_irr = RateField(_("annualized rate (IRR)"))

    start_date = models.DateField(_("value date"))
    first_due_date = models.DateField(_("first due date"))
    maturity_date = models.DateField(_("maturity date"))
    repayment_day = models.PositiveSmallIntegerField(_("repayment day"))

    # Running balances, changed only by services under a row lock or by the close of
    # business in one set-based statement; each change is backed by a journal transaction.
    principal_outstanding = MoneyField(_("principal outstanding"))
    settled_date = models.DateField(_("settled on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(
                condition=Q(principal_outstanding__gte=0)
                & Q(principal_outstanding__lte=F("principal")),
                name="loan_outstanding_within_principal",
            ),
            models.CheckConstraint(
                condition=(Q(daily_rate__gt=0) & Q(annual_rate__isnull=True))
                | (Q(annual_rate__gt=0) & Q(daily_rate__isnull=True)),
                name="loan_one_rate",
            ),
            models.CheckConstraint(condition=Q(term__gte=1), name="loan_term_positive"),
            models.CheckConstraint(
                condition=Q(first_due_date__gt=F("start_date"))
                & Q(maturity_date__gte=F("first_due_date")),
                name="loan_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="settled") | Q(principal_outstanding=0),
                name="loan_settled_has_no_principal",
            ),
        ]
        indexes = [
            models.Index(fields=["borrower", "status"]),
            models.Index(fields=["credit_line", "status"]),
            models.Index(
                fields=["product"], condition=Q(status="active"), name="loan_active_by_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.principal}"

    @property
    def rate_basis(self) -> RateBasis:
        return RateBasis.DAILY if self.daily_rate is not None else RateBasis.ANNUAL


class Installment(models.Model):
    """One row of a loan's schedule and what has been charged and paid against it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet due")
        DUE = "due", _("Due")
        OVERDUE = "overdue", _("Overdue")
        PAID = "paid", _("Paid")
        SUPERSEDED = "superseded", _("Replaced by a new schedule")
        CANCELLED = "cancelled", _("Cancelled with its loan")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField(_("number"))
    schedule_version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    period_start_date = models.DateField(_("period start"))
    due_date = models.DateField(_("due date"))
    days = models.PositiveSmallIntegerField(_("days"))
    opening_balance = MoneyField(_("opening principal balance"))

    principal = MoneyField(_("principal"))
    interest = MoneyField(_("interest"))
    interest_accrued = MoneyField(
        _("interest accrued"),
        default=Decimal("0.00"),
        help_text=_("Cumulative interest accrued in this period, rounded once over the span."),
    )
    penalty_accrued = MoneyField(_("penalty interest"), default=Decimal("0.00"))
    compound_accrued = MoneyField(_("compound interest"), default=Decimal("0.00"))

    principal_paid = MoneyField(default=Decimal("0.00"))
    interest_paid = MoneyField(default=Decimal("0.00"))
    penalty_paid = MoneyField(default=Decimal("0.00"))
    compound_paid = MoneyField(default=Decimal("0.00"))
    paid_date = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "number"],
                condition=~Q(status__in=["superseded", "cancelled"]),
                name="one_live_installment_per_number",
            ),
            models.CheckConstraint(
                condition=Q(principal__gte=0, interest__gte=0, opening_balance__gte=0),
                name="installment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(principal_paid__gte=0, principal_paid__lte=F("principal"))
                & Q(interest_paid__gte=0, interest_paid__lte=F("interest"))
                & Q(interest_accrued__gte=0, interest_accrued__lte=F("interest"))
                & Q(penalty_paid__gte=0, penalty_paid__lte=F("penalty_accrued"))
                & Q(compound_paid__gte=0, compound_paid__lte=F("compound_accrued")),
                name="installment_paid_within_owed",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gt=F("period_start_date")), name="installment_dates_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="installment_status_due"),
            models.Index(fields=["loan", "number"], name="installment_loan_number"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.due_date} {self.principal}+{self.interest}"

    @property
    def total(self) -> Decimal:
        total: Decimal = self.principal + self.interest
        return total
