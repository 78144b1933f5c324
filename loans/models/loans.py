"""Loans (draws) and their installments."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField, RateField
from loans.models.applications import LoanApplication
from loans.models.credit import CreditLine
from loans.models.products import LoanProduct, Method
from loans.models.terms import ContractTerms
from loans.schedule import RateBasis


class Loan(ContractTerms):
    """A draw on a credit line (micro-loan) or a bank installment loan. Its contract terms
    (ContractTerms) are the application's, copied at disbursement."""

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

    # Price and shape of the contract, frozen at disbursement.
    principal = MoneyField(_("principal"))
    term = models.PositiveSmallIntegerField(_("term (periods)"))
    method = models.CharField(_("method"), max_length=32, choices=Method.choices)
    daily_rate = RateField(_("daily rate"), null=True, blank=True)
    annual_rate = RateField(_("annual rate"), null=True, blank=True)
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
    # Aging (DOMAIN.md §6): days past due on a date = that date − this one, so the close
    # never writes a per-loan day count. Set at disbursement, moved by the services that
    # pay installments; None once nothing is left unpaid.
    oldest_unpaid_due_date = models.DateField(_("oldest unpaid due date"), null=True, blank=True)
    # The close of business records what it closed per chunk of loans (closing.CloseChunk);
    # a loan it could not process is flagged here with the first business date still to
    # close for it (DOMAIN.md §7), and the ledger recognises it only up to that date.
    close_pending_from = models.DateField(
        _("close pending from"), null=True, blank=True, db_index=True
    )
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
                fields=["oldest_unpaid_due_date"],
                condition=Q(status="active"),
                name="loan_active_aging",
            ),
            models.Index(
                fields=["product"], condition=Q(status="active"), name="loan_active_by_product"
            ),
            # The loans the close of business processes in a chunk (closing/sql.py), with
            # the terms its statements read.
            models.Index(
                fields=["id"],
                include=[
                    "daily_rate",
                    "annual_rate",
                    "penalty_rate_multiplier",
                    "compound_interest_enabled",
                    "grace_days",
                    "borrower",
                    "public_id",
                ],
                condition=Q(status="active", close_pending_from__isnull=True),
                name="loan_in_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.principal}"

    @property
    def rate_basis(self) -> RateBasis:
        return RateBasis.DAILY if self.daily_rate is not None else RateBasis.ANNUAL


class ScheduleVersion(models.Model):
    """One version of a loan's repayment schedule. Version 1 is the contract's; a partial
    prepayment (or another event that re-amortizes the loan) adds the next one. Earlier
    versions and their rows are kept: rows of a version that were replaced are marked
    superseded, rows already paid stay live, and the new version's rows are numbered on
    from the last one paid."""

    class Reason(models.TextChoices):
        CONTRACT = "contract", _("Contract (disbursement)")
        PREPAYMENT_KEEP_TERM = "prepayment_keep_term", _("Partial prepayment, term kept")
        PREPAYMENT_KEEP_INSTALLMENT = (
            "prepayment_keep_installment",
            _("Partial prepayment, installment kept"),
        )
        FULL_PREPAYMENT = "full_prepayment", _("Full prepayment")
        PAYOFF = "payoff", _("Payoff")

    class Source(models.TextChoices):
        SYSTEM = "system", _("System")
        STAFF = "staff", _("Staff")
        BORROWER = "borrower", _("Borrower")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="schedule_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    effective_date = models.DateField(_("effective from"))
    principal = MoneyField(_("principal amortized"))
    source = models.CharField(_("made by"), max_length=16, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="schedule_version_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="schedule_version_positive"),
            models.CheckConstraint(
                condition=Q(principal__gte=0), name="schedule_version_principal_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.reason} {self.effective_date}"


class Installment(models.Model):
    """One row of a loan's schedule and what has been paid against it.

    What is owed on a date is a pure function of these columns, the loan's frozen terms and
    the date (loans.schedule.accrual): interest, penalty and compound each accrue over a
    span that starts at `*_span_start_date` (penalty and compound: the due date when null)
    on top of what was accrued before the span (`*_accrued_before_span`). A span is cut
    when its base changes (a partial payment of overdue principal or interest, DOMAIN.md
    §1), so the nightly close never writes a row per installment per day."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet due")
        DUE = "due", _("Due")
        OVERDUE = "overdue", _("Overdue")
        PAID = "paid", _("Paid")
        SUPERSEDED = "superseded", _("Replaced by a new schedule")
        CANCELLED = "cancelled", _("Cancelled with its loan")

    # Neither key has an index of its own: the loan is the first column of the indexes
    # below, and a version's rows are read through their loan's (every index is written
    # again when a row changes state, so the table keeps as few as it can).
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="installments", db_index=False
    )
    schedule_version = models.ForeignKey(
        ScheduleVersion, on_delete=models.PROTECT, related_name="installments", db_index=False
    )
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    period_start_date = models.DateField(_("period start"))
    due_date = models.DateField(_("due date"))
    days = models.PositiveSmallIntegerField(_("days"))
    opening_balance = MoneyField(_("opening principal balance"))

    principal = MoneyField(_("principal"))
    interest = MoneyField(_("interest"))

    # Accrual spans (see the class docstring).
    interest_span_start_date = models.DateField(_("interest span from"))
    interest_span_base = MoneyField(_("interest span base"))
    interest_accrued_before_span = MoneyField(
        _("interest accrued before the span"), default=Decimal("0.00")
    )
    penalty_span_start_date = models.DateField(_("penalty span from"), null=True, blank=True)
    penalty_accrued_before_span = MoneyField(
        _("penalty accrued before the span"), default=Decimal("0.00")
    )
    compound_span_start_date = models.DateField(_("compound span from"), null=True, blank=True)
    compound_accrued_before_span = MoneyField(
        _("compound interest accrued before the span"), default=Decimal("0.00")
    )

    # The row whose period runs on the current business date (period start ≤ date < due
    # date): the one row per loan whose interest accrues tonight. Kept by the close of
    # business as periods roll, so the night's accrual reads one row per loan through a
    # partial index instead of every row of every schedule.
    accruing = models.BooleanField(_("in its period"), default=False)

    principal_paid = MoneyField(default=Decimal("0.00"))
    interest_paid = MoneyField(default=Decimal("0.00"))
    penalty_paid = MoneyField(default=Decimal("0.00"))
    compound_paid = MoneyField(default=Decimal("0.00"))
    paid_date = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            # One live row per loan and number, and one row per number in each replaced
            # or cancelled schedule: the third key is 0 for a live row, its schedule
            # version for a retired one. The same index finds every row of a loan.
            models.UniqueConstraint(
                F("loan"),
                F("number"),
                Case(
                    When(status__in=["superseded", "cancelled"], then=F("schedule_version")),
                    default=Value(0),
                    output_field=models.BigIntegerField(),
                ),
                name="installment_number_once",
            ),
            models.CheckConstraint(
                condition=Q(principal__gte=0, interest__gte=0, opening_balance__gte=0),
                name="installment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(principal_paid__gte=0, principal_paid__lte=F("principal"))
                & Q(interest_paid__gte=0, interest_paid__lte=F("interest"))
                & Q(penalty_paid__gte=0, compound_paid__gte=0),
                name="installment_paid_within_owed",
            ),
            models.CheckConstraint(
                condition=Q(
                    interest_accrued_before_span__gte=0,
                    interest_accrued_before_span__lte=F("interest"),
                    interest_span_base__gte=0,
                    penalty_accrued_before_span__gte=0,
                    compound_accrued_before_span__gte=0,
                )
                & Q(interest_span_start_date__gte=F("period_start_date"))
                & (
                    Q(penalty_span_start_date__isnull=True)
                    | Q(penalty_span_start_date__gte=F("due_date"))
                )
                & (
                    Q(compound_span_start_date__isnull=True)
                    | Q(compound_span_start_date__gte=F("due_date"))
                ),
                name="installment_accrual_spans",
            ),
            # A period has at least one day, but for a draw paid off on the first day of a
            # period whose earlier rows are all paid: its payoff row is due that same day
            # and owes no interest (repayments.services.payoff).
            models.CheckConstraint(
                condition=Q(due_date__gt=F("period_start_date"))
                | Q(due_date=F("period_start_date"), interest=0),
                name="installment_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_date__isnull=False),
                name="installment_paid_has_date",
            ),
        ]
        indexes = [
            # What the close of business reads: rows in their period (with what their
            # interest needs, so the night's accrual reads this index alone), and rows
            # overdue or in grace (with what their interest, penalty, compound and
            # collection need: the close reads no installment's heap), by loan id ranges.
            models.Index(
                fields=["loan", "due_date"],
                include=[
                    "period_start_date",
                    "interest_span_start_date",
                    "interest_span_base",
                    "interest_accrued_before_span",
                ],
                condition=Q(accruing=True),
                name="installment_accruing",
            ),
            models.Index(
                fields=["loan", "due_date"],
                include=[
                    "id",
                    "status",
                    "accruing",
                    "number",
                    "period_start_date",
                    "principal",
                    "principal_paid",
                    "interest",
                    "interest_paid",
                    "penalty_paid",
                    "compound_paid",
                    "interest_span_start_date",
                    "interest_span_base",
                    "interest_accrued_before_span",
                    "penalty_span_start_date",
                    "penalty_accrued_before_span",
                    "compound_span_start_date",
                    "compound_accrued_before_span",
                ],
                condition=Q(status__in=["due", "overdue"]),
                name="installment_due_or_overdue",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.due_date} {self.principal}+{self.interest}"

    @property
    def total(self) -> Decimal:
        total: Decimal = self.principal + self.interest
        return total
