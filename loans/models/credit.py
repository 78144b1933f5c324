"""Credit lines and how they are granted."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.money import MoneyField, RateField
from loans.models.products import LoanProduct


class CreditLine(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FROZEN = "frozen", _("Frozen")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_lines"
    )
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="credit_lines")
    limit = MoneyField(_("credit limit"))
    daily_rate = RateField(_("daily rate"))
    repayment_day = models.PositiveSmallIntegerField(
        _("repayment day"), null=True, blank=True, help_text=_("Set by the first draw.")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    granted_at = models.DateTimeField(_("granted at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit line")
        verbose_name_plural = _("credit lines")
        constraints = [
            models.UniqueConstraint(fields=["borrower", "product"], name="one_line_per_product"),
            models.CheckConstraint(condition=Q(limit__gt=0), name="credit_line_limit_positive"),
            models.CheckConstraint(condition=Q(daily_rate__gt=0), name="credit_line_rate_positive"),
            models.CheckConstraint(
                condition=Q(repayment_day__isnull=True)
                | Q(repayment_day__gte=1, repayment_day__lte=31),
                name="credit_line_repayment_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.borrower} · {self.product.code} · {self.limit}"


class CreditScoringPolicy(models.Model):
    """How a completed profile becomes a credit line (tuned by staff, per product).

    score = base + points for a prime age, an e-mail address, account tenure and settled
    loans − points per overdue loan. No line below `min_score`; the limit grows by
    `limit_per_point` above it from `base_limit`, within the product's range, in whole
    hundreds; the daily rate falls from the product's highest at `min_score` to its lowest
    at `best_rate_score`."""

    product = models.OneToOneField(
        LoanProduct, on_delete=models.PROTECT, related_name="scoring_policy"
    )
    base_score = models.PositiveSmallIntegerField(_("base score"), default=600)
    prime_age_min = models.PositiveSmallIntegerField(_("prime age from"), default=25)
    prime_age_max = models.PositiveSmallIntegerField(_("prime age to"), default=55)
    prime_age_points = models.PositiveSmallIntegerField(_("points for a prime age"), default=50)
    email_points = models.PositiveSmallIntegerField(_("points for an e-mail address"), default=20)
    tenure_days = models.PositiveSmallIntegerField(
        _("account age for tenure points (days)"), default=30
    )
    tenure_points = models.PositiveSmallIntegerField(_("points for tenure"), default=30)
    settled_loan_points = models.PositiveSmallIntegerField(_("points per settled loan"), default=10)
    settled_loan_points_cap = models.PositiveSmallIntegerField(
        _("most points for settled loans"), default=50
    )
    overdue_loan_points = models.PositiveSmallIntegerField(
        _("points taken per loan ever overdue"), default=80
    )
    min_score = models.PositiveSmallIntegerField(_("lowest score granted a line"), default=550)
    best_rate_score = models.PositiveSmallIntegerField(
        _("score that gets the lowest rate"), default=750
    )
    base_limit = MoneyField(_("limit at the lowest score"), default=Decimal("5000.00"))
    limit_per_point = MoneyField(_("limit added per point above it"), default=Decimal("200.00"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit scoring policy")
        verbose_name_plural = _("credit scoring policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(prime_age_max__gte=F("prime_age_min"))
                & Q(best_rate_score__gt=F("min_score"))
                & Q(base_limit__gt=0)
                & Q(limit_per_point__gte=0),
                name="scoring_policy_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.code} scoring"
