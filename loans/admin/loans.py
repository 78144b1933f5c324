"""Loans, their schedules, ledger postings and payouts: read-only (they change only
through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from common.admin_exports import ListExportMixin, ListResource
from common.admin_mixins import ReadOnlyAdminMixin
from common.selectors import business_date_get
from ledger.admin import account_name
from ledger.models import Account, JournalLine
from loans.models import Installment, Loan, Payout
from loans.reconciliation import ledger_reconcile


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
    fields = readonly_fields = ("transaction", "account_shown", "debit", "credit")
    extra = 0

    @admin.display(description=_("account"))
    def account_shown(self, line: JournalLine) -> str:
        return f"{line.account.code} {account_name(line.account)}"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("transaction", "account").order_by("pk")


class LoanResource(ListResource):
    borrower = Field(attribute="borrower__username")
    product = Field(attribute="product__code")

    class Meta:
        model = Loan
        fields = export_order = (
            "public_id",
            "borrower",
            "product",
            "status",
            "method",
            "principal",
            "principal_outstanding",
            "term",
            "daily_rate",
            "annual_rate",
            "annualized_rate_irr",
            "start_date",
            "first_due_date",
            "maturity_date",
            "settled_date",
        )


@admin.register(Loan)
class LoanAdmin(ListExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin[Loan]):
    list_display = [
        "public_id",
        "borrower",
        "product",
        "principal",
        "principal_outstanding",
        "status",
        "start_date",
        "maturity_date",
        "story_link",
    ]
    list_filter = ["status", "product", "method"]
    search_fields = ["public_id", "borrower__username", "borrower__email"]
    list_select_related = ["borrower", "product"]
    ordering = ["-start_date", "-pk"]
    date_hierarchy = "start_date"
    inlines = [InstallmentInline, LoanJournalLineInline]
    resource_classes = [LoanResource]
    readonly_fields = ["story_link"]

    def get_urls(self) -> list[URLPattern]:
        reconciliation = path(
            "reconciliation/",
            self.admin_site.admin_view(self.reconciliation_view),
            name="loans_reconciliation",
        )
        return [reconciliation, *super().get_urls()]

    def reconciliation_view(self, request: HttpRequest) -> TemplateResponse:
        """The ledger against the loans, to the fen (loans.reconciliation), for who may
        see both."""
        if not (
            self.has_view_permission(request)
            and request.user.has_perm("ledger.view_journaltransaction")
        ):
            raise PermissionDenied
        result = ledger_reconcile(business_date=business_date_get())
        accounts = {a.code: a for a in Account.objects.order_by("code", "pk")}
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reconciliation"),
            "opts": self.model._meta,
            "reconciliation": result,
            "lines": [
                {
                    "line": line,
                    "name": account_name(accounts.get(str(line.account)), code=str(line.account)),
                }
                for line in result.lines
            ],
        }
        return TemplateResponse(request, "admin/loans/reconciliation.html", context)

    @admin.display(description=_("whole story"))
    def story_link(self, loan: Loan) -> str:
        # The page is the back office's own (every app's records about the loan).
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:loans_loan_story", args=[loan.pk]), _("open")
        )


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Installment]):
    list_display = ["loan", "number", "due_date", "status", "principal", "interest"]
    list_filter = ["status"]
    date_hierarchy = "due_date"
    list_select_related = ["loan"]
    ordering = ["due_date", "pk"]
    search_fields = ["loan__public_id"]


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
