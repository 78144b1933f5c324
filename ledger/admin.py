"""Read-only views of the ledger: posted entries are never edited in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.admin_mixins import ReadOnlyAdminMixin
from ledger.models import Account, JournalLine, JournalTransaction
from ledger.selectors import trial_balance


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Account]):
    list_display = ["code", "name", "name_zh", "kind"]
    ordering = ["code"]

    def get_urls(self) -> list[Any]:
        urls = [
            path(
                "trial-balance/",
                self.admin_site.admin_view(self.trial_balance_view),
                name="ledger_trial_balance",
            )
        ]
        return urls + super().get_urls()

    def trial_balance_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Trial balance"),
            "balance": trial_balance(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ledger/trial_balance.html", context)


class JournalLineInline(ReadOnlyAdminMixin, admin.TabularInline[JournalLine, JournalTransaction]):
    model = JournalLine
    fields = readonly_fields = ("account", "debit", "credit", "loan")
    extra = 0


@admin.register(JournalTransaction)
class JournalTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[JournalTransaction]):
    list_display = ["posted_at", "business_date", "kind", "description", "idempotency_key"]
    list_filter = ["kind", "business_date"]
    search_fields = ["idempotency_key", "description", "public_id"]
    date_hierarchy = "business_date"
    ordering = ["-posted_at", "-pk"]
    inlines = [JournalLineInline]
    readonly_fields = [
        "public_id",
        "idempotency_key",
        "kind",
        "business_date",
        "posted_at",
        "description",
        "reverses",
    ]
