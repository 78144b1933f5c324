"""Loan products: the terms staff offer, edited in the admin."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.money import MoneyField, RateField
from loans.schedule import DueDateRule, RateBasis, RepaymentMethod


def default_allocation_order() -> list[str]:
    return list(AllocationTarget.values)


def default_micro_terms() -> list[int]:
    return [5, 10, 20]


class ProductKind(models.TextChoices):
    MICRO = "micro", _("Micro-loan (credit line, daily interest)")
    BANK_INSTALLMENT = "bank_installment", _("Bank installment loan")


class Method(models.TextChoices):
    EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL.value, _("Equal principal (等额本金)")
    EQUAL_INSTALLMENT = RepaymentMethod.EQUAL_INSTALLMENT.value, _("Equal installment (等额本息)")


class AllocationTarget(models.TextChoices):
    """What a repayment pays, in the default order (DOMAIN.md §5)."""

    PENALTY = "penalty", _("Penalty interest")
    COMPOUND = "compound", _("Compound interest")
    OVERDUE_INTEREST = "overdue_interest", _("Overdue interest")
    OVERDUE_PRINCIPAL = "overdue_principal", _("Overdue principal")
    CURRENT_INTEREST = "current_interest", _("Current interest")
    CURRENT_PRINCIPAL = "current_principal", _("Current principal")


class PrepaymentFeeKind(models.TextChoices):
    NONE = "none", _("No fee")
    PERCENT_BY_LOAN_YEAR = "percent_by_loan_year", _("Percentage of the amount by loan year")
    ONE_MONTH_INTEREST = "one_month_interest", _("One month's interest")


class LoanProduct(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProductKind.choices)
    is_active = models.BooleanField(_("offered"), default=True)

    # Pricing. Micro-loans price per borrower within a daily range; bank loans at a fixed
    # annual rate.
    daily_rate_min = RateField(_("lowest daily rate"), null=True, blank=True)
    daily_rate_max = RateField(_("highest daily rate"), null=True, blank=True)
    daily_rate_default = RateField(_("default daily rate"), null=True, blank=True)
    annual_rate = RateField(_("annual rate"), null=True, blank=True)

    # Terms and methods.
    term_min = models.PositiveSmallIntegerField(_("shortest term (months)"), default=5)
    term_max = models.PositiveSmallIntegerField(_("longest term (months)"), default=20)
    allowed_terms = models.JSONField(
        _("allowed terms"),
        default=list,
        blank=True,
        help_text=_(
            "Months a borrower may choose, e.g. [5, 10, 20]; empty allows any term in the range."
        ),
    )
    default_method = models.CharField(
        _("default method"), max_length=32, choices=Method.choices, default=Method.EQUAL_PRINCIPAL
    )
    allow_equal_principal = models.BooleanField(_("equal principal allowed"), default=True)
    allow_equal_installment = models.BooleanField(_("equal installment allowed"), default=True)
    installment_rounding_unit = MoneyField(
        _("installment rounding unit"),
        default=Decimal("0.01"),
        help_text=_(
            "0.01 rounds to the fen; 1.00 to whole yuan (the last row absorbs the difference)."
        ),
    )

    # Credit line and draws (micro-loans); for bank loans min/max draw bound the amount.
    credit_limit_min = MoneyField(_("smallest credit line"), default=Decimal("500.00"))
    credit_limit_max = MoneyField(_("largest credit line"), default=Decimal("200000.00"))
    min_draw = MoneyField(_("smallest draw"), default=Decimal("100.00"))
    draw_step = MoneyField(_("draw step"), default=Decimal("100.00"))
    max_draw = MoneyField(_("largest draw"), default=Decimal("40000.00"))
    max_open_draws = models.PositiveSmallIntegerField(_("most open draws"), default=20)

    # Due dates.
    late_first_draw_day = models.PositiveSmallIntegerField(
        _("late first-draw day"),
        default=DueDateRule.late_first_draw_day,
        help_text=_("A first draw on this day of the month or later repays on the fallback day."),
    )
    fallback_repayment_day = models.PositiveSmallIntegerField(
        _("fallback repayment day"), default=DueDateRule.fallback_repayment_day
    )
    min_days_to_first_due = models.PositiveSmallIntegerField(
        _("days from draw to first due date (at least)"),
        default=DueDateRule.min_days_to_first_due,
    )

    # Overdue.
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=1)
    penalty_rate_multiplier = RateField(_("penalty rate multiplier"), default=Decimal("1.5"))
    compound_interest_enabled = models.BooleanField(_("compound interest"), default=True)
    repayment_allocation_order = models.JSONField(
        _("repayment allocation order"), default=default_allocation_order
    )

    # Prepayment of bank loans (DOMAIN.md §5).
    prepayment_min_months = models.PositiveSmallIntegerField(
        _("months of normal repayment before prepayment"), default=6
    )
    partial_prepayment_min = MoneyField(_("smallest partial prepayment"), default=Decimal("10000"))
    partial_prepayment_multiple = MoneyField(
        _("partial prepayment multiple"),
        null=True,
        blank=True,
        help_text=_("If set, a partial prepayment must be a multiple of this amount."),
    )
    partial_prepayment_interval_months = models.PositiveSmallIntegerField(
        _("months between partial prepayments"), default=12
    )
    prepayment_notice_days = models.PositiveSmallIntegerField(
        _("notice days for a prepayment application"), default=10
    )
    prepayment_fee_kind = models.CharField(
        _("prepayment fee"),
        max_length=32,
        choices=PrepaymentFeeKind.choices,
        default=PrepaymentFeeKind.NONE,
    )
    prepayment_fee_percents = models.JSONField(
        _("fee percentages by loan year"),
        default=list,
        blank=True,
        help_text=_('e.g. ["3", "2", "1"]: 3% in the first loan year, 2% in the second, 1% after.'),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ProductKind.MICRO,
                        daily_rate_min__gt=0,
                        daily_rate_default__gte=F("daily_rate_min"),
                        daily_rate_max__gte=F("daily_rate_default"),
                        annual_rate__isnull=True,
                    )
                    | Q(
                        kind=ProductKind.BANK_INSTALLMENT,
                        annual_rate__gt=0,
                        daily_rate_min__isnull=True,
                        daily_rate_max__isnull=True,
                        daily_rate_default__isnull=True,
                    )
                ),
                name="product_rates_match_kind",
            ),
            models.CheckConstraint(
                condition=Q(term_min__gte=1, term_max__gte=F("term_min"), term_max__lte=360),
                name="product_term_range",
            ),
            models.CheckConstraint(
                condition=Q(allow_equal_principal=True) | Q(allow_equal_installment=True),
                name="product_has_a_method",
            ),
            models.CheckConstraint(
                condition=Q(
                    min_draw__gt=0,
                    draw_step__gt=0,
                    max_draw__gte=F("min_draw"),
                    credit_limit_min__gt=0,
                    credit_limit_max__gte=F("credit_limit_min"),
                    max_open_draws__gte=1,
                    installment_rounding_unit__gt=0,
                ),
                name="product_amounts_positive_and_ordered",
            ),
            models.CheckConstraint(
                condition=Q(
                    fallback_repayment_day__gte=1,
                    fallback_repayment_day__lte=28,
                    late_first_draw_day__gte=2,
                    late_first_draw_day__lte=29,
                ),
                name="product_repayment_days",
            ),
            models.CheckConstraint(
                condition=Q(penalty_rate_multiplier__gte=1), name="product_penalty_multiplier"
            ),
            models.CheckConstraint(
                condition=Q(partial_prepayment_min__gt=0)
                & (
                    Q(partial_prepayment_multiple__isnull=True)
                    | Q(partial_prepayment_multiple__gt=0)
                ),
                name="product_partial_prepayment_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def offered_terms(self) -> list[int]:
        """The terms (months) a borrower may choose."""
        in_range = range(self.term_min, self.term_max + 1)
        return [t for t in self.allowed_terms if t in in_range] or list(in_range)

    @property
    def offered_methods(self) -> list[str]:
        """The repayment methods a borrower may choose."""
        return [
            method
            for method, allowed in (
                (Method.EQUAL_PRINCIPAL, self.allow_equal_principal),
                (Method.EQUAL_INSTALLMENT, self.allow_equal_installment),
            )
            if allowed
        ]

    @property
    def rate_basis(self) -> RateBasis:
        return RateBasis.DAILY if self.kind == ProductKind.MICRO else RateBasis.ANNUAL

    @property
    def due_date_rule(self) -> DueDateRule:
        return DueDateRule(
            late_first_draw_day=self.late_first_draw_day,
            fallback_repayment_day=self.fallback_repayment_day,
            min_days_to_first_due=self.min_days_to_first_due,
        )
