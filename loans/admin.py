"""Back office for products, credit lines and loans. Products are edited here by staff;
loans and schedules are read-only (they change only through services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from common.admin_mixins import ReadOnlyAdminMixin
from common.exceptions import DomainError
from common.selectors import business_date_get
from ledger.models import JournalLine
from loans.models import (
    ApplicationEvent,
    CreditLine,
    CreditScoringPolicy,
    Installment,
    Loan,
    LoanApplication,
    LoanProduct,
    Payout,
    ProductKind,
    RiskRule,
    RiskSettings,
)
from loans.pricing import product_pricing_check
from loans.schedule import InterestRate, RepaymentMethod
from loans.services import loan_application_approve, loan_application_refuse, loan_disburse


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
class CreditLineAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin[CreditLine]):
    list_display = ["borrower", "product", "limit", "daily_rate", "repayment_day", "status"]
    list_filter = ["status", "product"]
    search_fields = ["borrower__username", "borrower__email", "public_id"]
    list_select_related = ["borrower", "product"]
    ordering = ["-granted_at", "-pk"]
    readonly_fields = ["public_id", "borrower", "product", "granted_at", "repayment_day"]

    # Lines are granted by the scoring policy (tuned per product), not typed in here.


class InstallmentInline(ReadOnlyAdminMixin, admin.TabularInline[Installment, Loan]):
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
        "penalty_paid",
        "paid_date",
    )
    extra = 0
    ordering = ["number", "pk"]


class LoanJournalLineInline(ReadOnlyAdminMixin, admin.TabularInline[JournalLine, Loan]):
    model = JournalLine
    verbose_name_plural = _("ledger postings")
    fields = readonly_fields = ("transaction", "account", "debit", "credit")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("transaction", "account").order_by("pk")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Loan]):
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


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Installment]):
    list_display = ["loan", "number", "due_date", "status", "principal", "interest"]
    list_filter = ["status"]
    date_hierarchy = "due_date"
    list_select_related = ["loan"]
    ordering = ["due_date", "pk"]
    search_fields = ["loan__public_id"]


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin only lets staff in
    return user


class ApplicationEventInline(
    ReadOnlyAdminMixin, admin.TabularInline[ApplicationEvent, LoanApplication]
):
    model = ApplicationEvent
    fields = readonly_fields = (
        "occurred_at",
        "from_status",
        "to_status",
        "source",
        "actor",
        "reason",
    )
    extra = 0
    ordering = ["occurred_at", "pk"]


@admin.register(LoanApplication)
class LoanApplicationAdmin(admin.ModelAdmin[LoanApplication]):
    list_display = [
        "public_id",
        "borrower",
        "product",
        "amount",
        "status",
        "face_check_required",
        "risk_score",
        "submitted_at",
    ]
    list_filter = ["status", "face_check_required", "product"]
    search_fields = ["public_id", "borrower__username", "borrower__phone", "borrower__email"]
    list_select_related = ["borrower", "product", "risk_decision"]
    ordering = ["-submitted_at", "-pk"]
    date_hierarchy = "submitted_at"
    inlines = [ApplicationEventInline]
    actions = ["approve", "refuse", "disburse"]
    readonly_fields = ["risk_explanation"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in LoanApplication._meta.fields] + ["risk_explanation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("risk score"))
    def risk_score(self, application: LoanApplication) -> str:
        decision = getattr(application, "risk_decision", None)
        return f"{decision.score}/{decision.threshold}" if decision else "–"

    @admin.display(description=_("risk decision"))
    def risk_explanation(self, application: LoanApplication) -> str:
        decision = getattr(application, "risk_decision", None)
        if decision is None:
            return "–"
        lines = [
            f"{_('Score')} {decision.score} / {_('threshold')} {decision.threshold}; "
            f"{_('repeat loans')}: {decision.get_repeat_loan_policy_display()}; "
            f"{_('face check required') if decision.face_check_required else _('no face check')}"
        ]
        lines += [f"+{r['weight']} {r['code']}: {r['reason']}" for r in decision.reasons]
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines))

    def _run(self, request: HttpRequest, queryset: Any, call: Any, done: object) -> None:
        ok = 0
        for application in queryset.order_by("pk"):
            try:
                call(application)
            except DomainError as exc:
                self.message_user(
                    request, f"{application.public_id}: {exc.detail}", level=messages.ERROR
                )
            else:
                ok += 1
        if ok:
            self.message_user(request, f"{done}: {ok}", level=messages.SUCCESS)

    @admin.action(description=_("Approve (after review)"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        self._run(
            request,
            queryset,
            lambda a: loan_application_approve(
                application_id=a.pk,
                now=timezone.now(),
                actor=_staff(request),
                reason="Approved by staff.",
            ),
            _("Approved"),
        )

    @admin.action(description=_("Refuse"), permissions=["change"])
    def refuse(self, request: HttpRequest, queryset: Any) -> None:
        self._run(
            request,
            queryset,
            lambda a: loan_application_refuse(
                application_id=a.pk,
                now=timezone.now(),
                code="refused_by_staff",
                reason="Refused after review by staff.",
                actor=_staff(request),
            ),
            _("Refused"),
        )

    @admin.action(description=_("Disburse approved applications"), permissions=["change"])
    def disburse(self, request: HttpRequest, queryset: Any) -> None:
        self._run(
            request,
            queryset,
            lambda a: loan_disburse(
                application_id=a.pk,
                business_date=business_date_get(),
                now=timezone.now(),
                actor=_staff(request),
            ),
            _("Disbursed"),
        )


@admin.register(RiskRule)
class RiskRuleAdmin(SimpleHistoryAdmin[RiskRule]):
    list_display = [
        "code",
        "enabled",
        "weight",
        "amount",
        "days",
        "hours",
        "count",
        "start_hour",
        "end_hour",
    ]
    list_editable = ["enabled", "weight"]
    ordering = ["code"]
    readonly_fields = ["code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskSettings)
class RiskSettingsAdmin(SimpleHistoryAdmin[RiskSettings]):
    list_display = ["face_check_threshold", "repeat_loan_policy"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RiskSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditScoringPolicy)
class CreditScoringPolicyAdmin(SimpleHistoryAdmin[CreditScoringPolicy]):
    list_display = ["product", "base_score", "min_score", "base_limit", "limit_per_point"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Payout]):
    list_display = [
        "requested_at",
        "loan",
        "amount",
        "card_masked",
        "status",
        "attempts",
        "gateway_reference",
    ]
    list_filter = ["status"]
    ordering = ["-requested_at", "-pk"]
    list_select_related = ["loan"]
