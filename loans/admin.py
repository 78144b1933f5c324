"""Back office for products, credit lines and loans. Products are edited here by staff;
loans and schedules are read-only (they change only through services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.exceptions import DomainError
from common.selectors import business_date_get
from ledger.models import JournalLine
from loans.models import CreditLine, Installment, Loan, LoanProduct, ProductKind
from loans.pricing import product_pricing_check
from loans.schedule import InterestRate, RepaymentMethod


class LoanProductForm(forms.ModelForm[LoanProduct]):
    class Meta:
        model = LoanProduct
        fields = "__all__"  # noqa: DJ007 - the admin fieldsets choose and order the fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ProductKind.MICRO:
            for name in ("daily_rate_min", "daily_rate_default", "daily_rate_max"):
                if data.get(name) is None:
                    self.add_error(name, _("A micro-loan product needs its daily rates."))
            if data.get("annual_rate") is not None:
                self.add_error("annual_rate", _("A micro-loan product is priced by the day."))
        elif kind == ProductKind.BANK_INSTALLMENT:
            if data.get("annual_rate") is None:
                self.add_error("annual_rate", _("A bank loan product needs its annual rate."))
            for name in ("daily_rate_min", "daily_rate_default", "daily_rate_max"):
                if data.get(name) is not None:
                    self.add_error(name, _("A bank loan product is priced by the year."))
        if self.errors:
            return data
        rate = (
            InterestRate.daily(data["daily_rate_max"])
            if kind == ProductKind.MICRO
            else InterestRate.annual(data["annual_rate"])
        )
        terms = sorted(set(data.get("allowed_terms") or []) | {data["term_min"], data["term_max"]})
        methods = [
            method
            for method, allowed in (
                (RepaymentMethod.EQUAL_PRINCIPAL, data.get("allow_equal_principal")),
                (RepaymentMethod.EQUAL_INSTALLMENT, data.get("allow_equal_installment")),
            )
            if allowed
        ]
        if not methods:
            raise forms.ValidationError(_("Allow at least one repayment method."))
        try:
            product_pricing_check(
                basis_rate=rate,
                terms=terms,
                methods=methods,
                rounding_unit=data["installment_rounding_unit"],
                start_date=business_date_get(),
            )
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


@admin.register(CreditLine)
class CreditLineAdmin(SimpleHistoryAdmin[CreditLine]):
    list_display = ["borrower", "product", "limit", "daily_rate", "repayment_day", "status"]
    list_filter = ["status", "product"]
    search_fields = ["borrower__username", "borrower__email", "public_id"]
    list_select_related = ["borrower", "product"]
    ordering = ["-granted_at", "-pk"]
    readonly_fields = ["public_id", "borrower", "product", "granted_at", "repayment_day"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstallmentInline(admin.TabularInline[Installment, Loan]):
    model = Installment
    fields = readonly_fields = (
        "number",
        "status",
        "period_start_date",
        "due_date",
        "days",
        "principal",
        "interest",
        "principal_paid",
        "interest_paid",
        "penalty_accrued",
        "paid_date",
    )
    extra = 0
    ordering = ["number", "pk"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LoanJournalLineInline(admin.TabularInline[JournalLine, Loan]):
    model = JournalLine
    verbose_name_plural = _("ledger postings")
    fields = readonly_fields = ("transaction", "account", "debit", "credit")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("transaction", "account").order_by("pk")


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin[Loan]):
    list_display = [
        "public_id",
        "borrower",
        "product",
        "principal",
        "principal_outstanding",
        "status",
        "start_date",
        "maturity_date",
    ]
    list_filter = ["status", "product", "method"]
    search_fields = ["public_id", "borrower__username", "borrower__email"]
    list_select_related = ["borrower", "product"]
    ordering = ["-start_date", "-pk"]
    date_hierarchy = "start_date"
    inlines = [InstallmentInline, LoanJournalLineInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Loan._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Installment)
class InstallmentAdmin(admin.ModelAdmin[Installment]):
    list_display = ["loan", "number", "due_date", "status", "principal", "interest"]
    list_filter = ["status"]
    date_hierarchy = "due_date"
    list_select_related = ["loan"]
    ordering = ["due_date", "pk"]
    search_fields = ["loan__public_id"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Installment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
