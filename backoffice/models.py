"""What the back office records of its own: the collections team's contact notes and the
borrowers' promises to pay, and the overdue loans they work from (a proxy of the loan).

Invariants (database):
- notes and promises are insert-only (a trigger refuses UPDATE and DELETE; the
  application role has neither privilege): a wrong note is followed by a correcting one;
- a promise is for a positive amount, on or after the business date it was made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField
from loans.models import Loan


class OverdueLoan(Loan):
    """An active loan with an unpaid installment past its due date: the collections queue.
    The same rows as `Loan`; its own admin and permissions."""

    class Meta:
        proxy = True
        verbose_name = _("overdue loan")
        verbose_name_plural = _("overdue loans (collections)")


class CollectionNote(models.Model):
    """One contact with (or attempt to reach) a borrower about an overdue loan."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("Text message")
        VISIT = "visit", _("Visit")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the borrower")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        PROMISED = "promised", _("Promised to pay")
        REFUSED = "refused", _("Refused to pay")
        REMINDER_SENT = "reminder_sent", _("Reminder sent")
        OTHER = "other", _("Other")

    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="collection_notes", verbose_name=_("loan")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    days_past_due = models.PositiveIntegerField(_("days past due"))
    business_date = models.DateField(_("business date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("collection note")
        verbose_name_plural = _("collection notes")
        indexes = [models.Index(fields=["loan", "created_at"], name="collection_note_by_loan")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.business_date} {self.outcome}"


class PromiseToPay(models.Model):
    """A borrower's promise to pay an amount by a date. Whether it was kept is read from
    the repayments received for the loan from the day it was made to the promised date."""

    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="promises_to_pay", verbose_name=_("loan")
    )
    amount = MoneyField(_("amount promised"))
    promised_date = models.DateField(_("promised by"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    business_date = models.DateField(_("business date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(
                condition=Q(promised_date__gte=F("business_date")),
                name="promise_not_in_the_past",
            ),
        ]
        indexes = [models.Index(fields=["loan", "created_at"], name="promise_by_loan")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.amount} by {self.promised_date}"
