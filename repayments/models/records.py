"""Overdue records and credit-report records (DOMAIN.md §6), written by the close of
business when an installment passes its grace unpaid.

Invariants (database):
- one overdue record per installment; one credit-report record per overdue record;
- a credit-report record is reported only after the borrower was notified and the notice
  period passed (`report_after`), and moves pending → reportable → reported only;
- records are kept 5 years after the debt is settled (`retain_until`), then purged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField


class OverdueRecord(models.Model):
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="overdue_records")
    installment = models.OneToOneField(
        "loans.Installment", on_delete=models.PROTECT, related_name="overdue_record"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="overdue_records"
    )
    due_date = models.DateField(_("due date"))
    # The first business date the installment was overdue (its grace had passed).
    overdue_from = models.DateField(_("overdue from"))
    principal_overdue = MoneyField(_("principal overdue"))
    interest_overdue = MoneyField(_("interest overdue"))
    settled_date = models.DateField(_("settled on"), null=True, blank=True)
    retain_until = models.DateField(_("kept until"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("overdue record")
        verbose_name_plural = _("overdue records")
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_from__gt=F("due_date")), name="overdue_record_after_due"
            ),
            models.CheckConstraint(
                condition=Q(settled_date__isnull=True) | Q(retain_until__isnull=False),
                name="overdue_record_settled_has_retention",
            ),
        ]
        indexes = [
            models.Index(fields=["overdue_from"], name="overdue_record_by_date"),
            models.Index(
                fields=["loan"], condition=Q(settled_date__isnull=True), name="overdue_open"
            ),
            # What was settled on a day (the dashboard's overdue trend).
            models.Index(
                fields=["settled_date"],
                condition=Q(settled_date__isnull=False),
                name="overdue_record_settled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.installment_id} from {self.overdue_from}"


class CreditReportRecord(models.Model):
    """What will be sent to the credit bureau about an overdue installment, once the
    borrower has been told and the notice period has passed."""

    class State(models.TextChoices):
        PENDING_NOTICE = "pending_notice", _("Borrower notified; waiting for the notice period")
        REPORTABLE = "reportable", _("To be reported")
        REPORTED = "reported", _("Reported")

    overdue_record = models.OneToOneField(
        OverdueRecord, on_delete=models.PROTECT, related_name="credit_report"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_reports"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING_NOTICE
    )
    notified_on = models.DateField(_("borrower notified on"))
    report_after = models.DateField(_("reportable after"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    retain_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit-report record")
        verbose_name_plural = _("credit-report records")
        constraints = [
            models.CheckConstraint(
                condition=Q(report_after__gte=F("notified_on")),
                name="credit_report_after_notice",
            ),
            models.CheckConstraint(
                condition=~Q(state="reported") | Q(reported_at__isnull=False),
                name="credit_report_reported_has_time",
            ),
        ]
        indexes = [models.Index(fields=["state", "report_after"], name="credit_report_queue")]

    def __str__(self) -> str:
        return f"{self.overdue_record_id} {self.state}"
