"""Loan products, edited by staff: saved through `loan_product_save`, which refuses a
product that cannot be offered (rates of the wrong kind, a price above the cap)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import construct_instance
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.exceptions import DomainError
from common.selectors import business_date_get
from loans.admin._shared import staff_user
from loans.models import LoanProduct
from loans.services import ProductInvalid, loan_product_check, loan_product_save


class LoanProductForm(forms.ModelForm[LoanProduct]):
    """Shows what `loan_product_check` refuses next to the fields; saving goes through
    `loan_product_save` (LoanProductAdmin.save_model), which checks again."""

    class Meta:
        model = LoanProduct
        fields = "__all__"  # noqa: DJ007 - the admin fieldsets choose and order the fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data  # a field that does not parse: the product cannot be checked yet
        candidate = construct_instance(self, copy.copy(self.instance))
        try:
            loan_product_check(product=candidate, business_date=business_date_get())
        except ProductInvalid as exc:
            for field, problems in exc.errors.items():
                for problem in problems:
                    self.add_error(field, problem)
        except DomainError as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from exc
        return data


@admin.register(LoanProduct)
class LoanProductAdmin(SimpleHistoryAdmin[LoanProduct]):
    form = LoanProductForm
    list_display = ["code", "name", "kind", "is_active", "daily_rate_max", "annual_rate"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "kind", "is_active"]}),
        (
            _("Pricing"),
            {"fields": ["daily_rate_min", "daily_rate_default", "daily_rate_max", "annual_rate"]},
        ),
        (
            _("Terms and methods"),
            {
                "fields": [
                    "term_min",
                    "term_max",
                    "allowed_terms",
                    "default_method",
                    "allow_equal_principal",
                    "allow_equal_installment",
                    "installment_rounding_unit",
                ]
            },
        ),
        (
            _("Credit line and draws"),
            {
                "fields": [
                    "credit_limit_min",
                    "credit_limit_max",
                    "min_draw",
                    "draw_step",
                    "max_draw",
                    "max_open_draws",
                    "lend_while_overdue",
                ]
            },
        ),
        (
            _("Due dates"),
            {"fields": ["late_first_draw_day", "fallback_repayment_day", "min_days_to_first_due"]},
        ),
        (
            _("Overdue and repayment"),
            {
                "fields": [
                    "grace_days",
                    "penalty_rate_multiplier",
                    "compound_interest_enabled",
                    "repayment_allocation_order",
                ]
            },
        ),
        (
            _("Prepayment"),
            {
                "fields": [
                    "prepayment_min_months",
                    "partial_prepayment_min",
                    "partial_prepayment_multiple",
                    "partial_prepayment_interval_months",
                    "prepayment_notice_days",
                    "prepayment_fee_kind",
                    "prepayment_fee_percents",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Products with loans are protected by the database; retire them with "offered".
        return False

    def save_model(self, request: HttpRequest, obj: LoanProduct, form: Any, change: bool) -> None:
        loan_product_save(product=obj, business_date=business_date_get(), actor=staff_user(request))
