"""Contract terms (DOMAIN.md §2): the rules a loan is serviced by, fixed when the borrower
accepts the contract at submission and copied to the loan at disbursement. A product edit
changes new applications only.

The product holds the same fields as the offer; `CONTRACT_TERM_FIELDS` names them once,
and `contract_terms_copy` is the one way terms move from product to application to loan.

Invariant (database, PostgreSQL): the repayment order is an ordering of exactly the six
components of DOMAIN.md §5 (loans/migrations/0005_servicing_groundwork.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.exceptions import InvalidInput
from common.money import MoneyField, RateField


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


def default_allocation_order() -> list[str]:
    return list(AllocationTarget.values)


def repayment_order_validate(order: object) -> list[str]:
    """The repayment order as a list, if it is an ordering of the six components."""
    if (
        not isinstance(order, list)
        or len(order) != len(AllocationTarget.values)
        or set(order) != set(AllocationTarget.values)
    ):
        raise InvalidInput(
            "The repayment order must list each of "
            + ", ".join(AllocationTarget.values)
            + " exactly once.",
            code="repayment_order_invalid",
        )
    return [str(item) for item in order]


def prepayment_fee_percents_validate(kind: str, percents: object) -> list[str]:
    """Percentages by loan year as decimal strings ("3" is 3%), each 0-100."""
    if kind != PrepaymentFeeKind.PERCENT_BY_LOAN_YEAR:
        return [] if not percents else _percent_list(percents)
    values = _percent_list(percents)
    if not values:
        raise InvalidInput(
            "A fee by loan year needs at least one percentage.", code="prepayment_fee_invalid"
        )
    return values


def _percent_list(percents: object) -> list[str]:
    if not isinstance(percents, list):
        raise InvalidInput("Fee percentages must be a list.", code="prepayment_fee_invalid")
    values = []
    for item in percents:
        text = str(item)
        if not text.replace(".", "", 1).isascii() or not text.replace(".", "", 1).isdigit():
            raise InvalidInput(f"{text!r} is not a percentage.", code="prepayment_fee_invalid")
        if not Decimal(0) <= Decimal(text) <= Decimal(100):
            raise InvalidInput(f"{text}% is not between 0 and 100.", code="prepayment_fee_invalid")
        values.append(text)
    return values


class ContractTerms(models.Model):
    """The servicing rules of a contract. Product (the offer), application (what the
    borrower accepted) and loan (what it is serviced by) each carry them."""

    installment_rounding_unit = MoneyField(
        _("installment rounding unit"),
        default=Decimal("0.01"),
        help_text=_(
            "0.01 rounds to the fen; 1.00 to whole yuan (the last row absorbs the difference)."
        ),
    )
    # Due dates.
    late_first_draw_day = models.PositiveSmallIntegerField(
        _("late first-draw day"),
        default=29,
        help_text=_("A first draw on this day of the month or later repays on the fallback day."),
    )
    fallback_repayment_day = models.PositiveSmallIntegerField(
        _("fallback repayment day"), default=21
    )
    min_days_to_first_due = models.PositiveSmallIntegerField(
        _("days from draw to first due date (at least)"), default=15
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

    class Meta:
        abstract = True


CONTRACT_TERM_FIELDS: tuple[str, ...] = tuple(field.name for field in ContractTerms._meta.fields)


def contract_terms_copy(source: ContractTerms) -> dict[str, Any]:
    """The contract terms of `source` as keyword arguments for the next holder (product →
    application → loan); JSON values are copied, never shared."""
    terms: dict[str, Any] = {}
    for name in CONTRACT_TERM_FIELDS:
        value = getattr(source, name)
        terms[name] = list(value) if isinstance(value, list) else value
    return terms
