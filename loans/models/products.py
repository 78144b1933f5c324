"""Loan products: the terms staff offer, edited in the admin."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.money import MoneyField, RateField
from loans.models.terms import (
    ContractTerms,
)
from loans.schedule import DueDateRule, RateBasis, RepaymentMethod


def default_micro_terms() -> list[int]:
    return [5, 10, 20]


class ProductKind(models.TextChoices):
    MICRO = "micro", _("Micro-loan (credit line, daily interest)")
    BANK_INSTALLMENT = "bank_installment", _("Bank installment loan")


class Method(models.TextChoices):
    EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL.value, _("Equal principal")
    EQUAL_INSTALLMENT = RepaymentMethod.EQUAL_INSTALLMENT.value, _("Equal installment")


class LoanProduct(ContractTerms):
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
    # The servicing rules (rounding, due dates, overdue, repayment order, prepayment) come
    # from ContractTerms: they are copied to each application and loan.

    # Credit line and draws (micro-loans); for bank loans min/max draw bound the amount.
    credit_limit_min = MoneyField(_("smallest credit line"), default=Decimal("500.00"))
    credit_limit_max = MoneyField(_("largest credit line"), default=Decimal("200000.00"))
    min_draw = MoneyField(_("smallest draw"), default=Decimal("100.00"))
    draw_step = MoneyField(_("draw step"), default=Decimal("100.00"))
    max_draw = MoneyField(_("largest draw"), default=Decimal("40000.00"))
    max_open_draws = models.PositiveSmallIntegerField(_("most open draws"), default=20)
    # Whether a borrower with anything overdue (on any loan) may borrow again.
    lend_while_overdue = models.BooleanField(
        _("lend while something is overdue"),
        default=False,
        db_default=False,
        help_text=_("Off: a borrower must pay what is overdue before a new loan."),
    )

    # The most expensive annualized rate (IRR) any draw of this product can have, found by
    # the pricing check when the product was saved: shown as "up to" before a draw exists.
    annualized_rate_irr_max = RateField(
        _("highest annualized rate (IRR)"), null=True, blank=True, editable=False
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

    def display_name(self, language_code: str | None) -> str:
        """The product's name in a language: the English name in English (when staff gave
        one), the Chinese name otherwise."""
        if (language_code or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

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
