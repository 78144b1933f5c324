"""What the close of business records of its own: the loans it could not process. The
runs, steps and chunks live with the business calendar (common.models), which money
services read to know whether a loan has been closed for the day.

Invariant (database): one failure per (run, loan, step).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import CloseRun


class CloseFailure(models.Model):
    """A loan the close could not process on a day: left out of that day's postings and
    flagged (`Loan.close_pending_from`); closed again, day by day, by the next close or a
    staff retry (DOMAIN.md §7). Resolved once its missing days are closed."""

    run = models.ForeignKey(CloseRun, on_delete=models.PROTECT, related_name="failures")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="close_failures")
    business_date = models.DateField(_("day"))
    step = models.CharField(_("step"), max_length=48)
    error = models.TextField(_("error"))
    occurred_at = models.DateTimeField(_("when"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan the close could not process")
        verbose_name_plural = _("loans the close could not process")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "loan", "step"], name="close_failure_once_per_run_and_step"
            )
        ]
        indexes = [
            models.Index(
                fields=["loan"], condition=Q(resolved_at__isnull=True), name="close_failure_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.business_date} {self.step}"
