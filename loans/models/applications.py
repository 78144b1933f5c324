"""Loan applications, their state machine, and the payout of a disbursed loan."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.money import MoneyField, RateField
from loans.models.credit import CreditLine
from loans.models.products import LoanProduct, Method
from loans.models.terms import ContractTerms


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    FACE_CHECK_REQUIRED = "face_check_required", _("Face check required")
    FACE_CHECK_PASSED = "face_check_passed", _("Face check passed")
    APPROVED = "approved", _("Approved")
    DISBURSED = "disbursed", _("Disbursed")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


S = ApplicationStatus
OPEN_STATUSES = (S.SUBMITTED, S.FACE_CHECK_REQUIRED, S.FACE_CHECK_PASSED, S.APPROVED)

# The only moves an application can make. Each has one service in loans/services.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.FACE_CHECK_REQUIRED, S.APPROVED, S.REFUSED, S.CANCELLED}),
    S.FACE_CHECK_REQUIRED: frozenset({S.FACE_CHECK_PASSED, S.REFUSED, S.CANCELLED, S.EXPIRED}),
    S.FACE_CHECK_PASSED: frozenset({S.APPROVED, S.REFUSED, S.CANCELLED, S.EXPIRED}),
    S.APPROVED: frozenset({S.DISBURSED, S.REFUSED}),
    # A disbursement whose payout the bank declined is undone: the loan is cancelled.
    S.DISBURSED: frozenset({S.CANCELLED}),
    S.REFUSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}


class LoanApplication(ContractTerms):
    """A borrower's request to borrow, priced and risk-evaluated when submitted. Submitting
    is accepting the contract: its terms (ContractTerms, rate, method, term) are fixed here
    from the product at that moment and copied to the loan at disbursement.

    Invariants (database): amount > 0; exactly one rate; one open application per borrower
    and product; an idempotency key is used once per borrower; and the face gate: an
    application whose risk decision requires a face check can be approved or disbursed
    only once the check has passed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="loan_applications"
    )
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="applications")
    credit_line = models.ForeignKey(
        CreditLine, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=32, choices=ApplicationStatus.choices, default=S.SUBMITTED
    )
    amount = MoneyField(_("amount"))
    term = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("method"), max_length=32, choices=Method.choices)
    daily_rate = RateField(_("daily rate"), null=True, blank=True)
    annual_rate = RateField(_("annual rate"), null=True, blank=True)
    annualized_rate_simple = RateField(_("annualized rate (simple)"))
    annualized_rate_irr = RateField(_("annualized rate (IRR)"))

    terms_accepted_at = models.DateTimeField(_("contract accepted at"), null=True, blank=True)

    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    business_date = models.DateField(_("submitted on (business date)"))
    submitted_at = models.DateTimeField(_("submitted at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    device_id = models.CharField(_("device"), max_length=64, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)

    face_check_required = models.BooleanField(_("face check required"), default=False)
    face_check_passed_at = models.DateTimeField(_("face check passed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_code = models.CharField(_("refusal code"), max_length=64, blank=True)
    refusal_reason = models.CharField(_("refusal reason"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="application_amount_positive"),
            models.CheckConstraint(
                condition=(Q(daily_rate__gt=0) & Q(annual_rate__isnull=True))
                | (Q(annual_rate__gt=0) & Q(daily_rate__isnull=True)),
                name="application_one_rate",
            ),
            models.UniqueConstraint(
                fields=["borrower", "idempotency_key"], name="application_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["borrower", "product"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_application_per_product",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[S.APPROVED.value, S.DISBURSED.value])
                | Q(face_check_required=False)
                | Q(face_check_passed_at__isnull=False),
                name="application_face_gate",
            ),
        ]
        indexes = [
            models.Index(fields=["borrower", "submitted_at"], name="application_by_borrower"),
            models.Index(fields=["status", "business_date"], name="application_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationEvent(models.Model):
    """One row per status change of an application: who, when, from, to, why."""

    class Source(models.TextChoices):
        BORROWER = "borrower", _("Borrower")
        STAFF = "staff", _("Staff")
        SYSTEM = "system", _("System")

    application = models.ForeignKey(
        LoanApplication, on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(max_length=32, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=ApplicationStatus.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        indexes = [models.Index(fields=["application", "occurred_at"], name="event_by_application")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    @property
    def history_label(self) -> str:
        """What the borrower's history says happened: the status reached, except that the
        face gate opened by staff (a manual identity review) is not a passed face check."""
        if self.to_status == S.FACE_CHECK_PASSED and self.source == self.Source.STAFF:
            return str(_("Approved by staff review"))
        return str(self.get_to_status_display())


class Payout(models.Model):
    """The transfer of a disbursed loan to the borrower's bank card: an outbox row written in
    the disbursement transaction, sent to the payment gateway outside it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Paid out")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    loan = models.OneToOneField("loans.Loan", on_delete=models.PROTECT, related_name="payout")
    amount = MoneyField(_("amount"))
    card_masked = models.CharField(_("card"), max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=100, unique=True)
    gateway = models.CharField(max_length=64, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(completed_at__isnull=False),
                name="payout_completed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="payout_by_status")]

    def __str__(self) -> str:
        return f"{self.amount} → {self.card_masked} ({self.status})"
