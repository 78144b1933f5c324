"""Written prepayment applications of bank loans (DOMAIN.md §5), their documents and the
log of every staff look at a document."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.money import MoneyField


class PrepaymentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXECUTED = "executed", _("Executed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


P = PrepaymentStatus
OPEN_PREPAYMENT_STATUSES = (P.SUBMITTED, P.APPROVED)

# The only moves an application can make; each has one service in repayments.services.
PREPAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    P.SUBMITTED: frozenset({P.APPROVED, P.REJECTED, P.CANCELLED, P.EXPIRED}),
    P.APPROVED: frozenset({P.EXECUTED, P.FAILED, P.EXPIRED}),
    P.REJECTED: frozenset(),
    P.EXECUTED: frozenset(),
    P.FAILED: frozenset(),
    P.CANCELLED: frozenset(),
    P.EXPIRED: frozenset(),
}


class PrepaymentApplication(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Full prepayment")
        PARTIAL = "partial", _("Partial prepayment")

    class Option(models.TextChoices):
        KEEP_TERM = "keep_term", _("Keep the term (lower installment)")
        KEEP_INSTALLMENT = "keep_installment", _("Keep the installment (shorter term)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    loan = models.ForeignKey(
        "loans.Loan", on_delete=models.PROTECT, related_name="prepayment_applications"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prepayment_applications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=PrepaymentStatus.choices, default=P.SUBMITTED
    )
    # The chosen repayment date: one of the loan's coming due dates, and its number.
    requested_date = models.DateField(_("repayment date"))
    installment_number = models.PositiveSmallIntegerField(_("installment number"))
    # Partial: the principal prepaid; full: what was outstanding after that installment.
    principal = MoneyField(_("principal prepaid"))
    option = models.CharField(
        _("after the prepayment"), max_length=24, choices=Option.choices, blank=True
    )
    # Quoted at submission (the borrower saw them), recomputed at execution.
    fee = MoneyField(_("fee"), default=0)
    interest_saved = MoneyField(_("interest saved"), default=0)
    installment_due = MoneyField(_("that month's installment"), default=0)

    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    business_date = models.DateField(_("submitted on (business date)"))
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.CharField(_("reason"), max_length=255, blank=True)
    repayment = models.OneToOneField(
        "repayments.Repayment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prepayment_application",
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prepayment application")
        verbose_name_plural = _("prepayment applications")
        permissions = [
            ("review_prepaymentapplication", _("Can approve or reject prepayment applications")),
            ("view_prepayment_documents", _("Can open the documents of prepayment applications")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gt=0), name="prepayment_principal_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind="full", option="") | (Q(kind="partial") & ~Q(option="")),
                name="prepayment_partial_has_option",
            ),
            models.UniqueConstraint(
                fields=["loan"],
                condition=Q(status__in=[s.value for s in OPEN_PREPAYMENT_STATUSES]),
                name="one_open_prepayment_per_loan",
            ),
            models.UniqueConstraint(
                fields=["borrower", "idempotency_key"], name="prepayment_key_once"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected", "executed", "failed"])
                | Q(decided_at__isnull=False),
                name="prepayment_decided_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_date"], name="prepayment_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.principal} on {self.requested_date} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PREPAYMENT_STATUSES


class PrepaymentEvent(models.Model):
    """One row per status change of an application (insert-only)."""

    class Source(models.TextChoices):
        BORROWER = "borrower", _("Borrower")
        STAFF = "staff", _("Staff")
        SYSTEM = "system", _("System")

    application = models.ForeignKey(
        PrepaymentApplication, on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(max_length=16, choices=PrepaymentStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PrepaymentStatus.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("prepayment event")
        verbose_name_plural = _("prepayment events")
        indexes = [
            models.Index(fields=["application", "occurred_at"], name="prepayment_event_by_app")
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class PrepaymentDocument(models.Model):
    """A scan sent with an application, stored encrypted in the private file store (never
    under a public URL)."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Loan contract")
        BANK_CARD = "bank_card", _("Repayment bank card")
        STATEMENT = "statement", _("Latest monthly statement")
        ID_CARD = "id_card", _("ID card")

    application = models.ForeignKey(
        PrepaymentApplication, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    stored_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("prepayment document")
        verbose_name_plural = _("prepayment documents")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"], name="one_document_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.content_type})"


class DocumentAccess(models.Model):
    """Every time staff open a document (insert-only)."""

    document = models.ForeignKey(
        PrepaymentDocument, on_delete=models.PROTECT, related_name="accesses"
    )
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")

    def __str__(self) -> str:
        return f"{self.staff} {self.accessed_at:%Y-%m-%d %H:%M}"
