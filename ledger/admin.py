"""Read-only views of the ledger: posted entries are never edited in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.admin_mixins import ReadOnlyAdminMixin
from common.record_texts import record_text
from ledger.models import Account, JournalLine, JournalTransaction
from ledger.selectors import trial_balance

# The chart of accounts' kinds, as staff read them.
KIND_LABELS = {
    "asset": _("Asset"),
    "liability": _("Liability"),
    "equity": _("Equity"),
    "income": _("Income"),
    "expense": _("Expense"),
}


def account_name(account: Account | None, *, code: str = "", name: str = "") -> str:
    """An account's name in the admin's language (its Chinese name in Chinese)."""
    chinese = not (get_language() or "").startswith("en")
    if account is not None:
        return account.name_zh if chinese and account.name_zh else account.name
    return name or code


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Account]):
    list_display = ["code", "display_name", "kind_label"]
    ordering = ["code"]
    fields = ["code", "name", "name_zh", "kind"]

    @admin.display(description=_("name"), ordering="code")
    def display_name(self, account: Account) -> str:
        return account_name(account)

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, account: Account) -> str:
        return str(KIND_LABELS.get(account.kind, account.kind))

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
        balance = trial_balance()
        accounts = {a.code: a for a in Account.objects.order_by("code", "pk")}
        rows = [
            {
                "row": row,
                "name": account_name(accounts.get(row.code), code=row.code, name=row.name),
                "kind": KIND_LABELS.get(row.kind, row.kind),
            }
            for row in balance.rows
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Trial balance"),
            "balance": balance,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ledger/trial_balance.html", context)


class JournalLineInline(ReadOnlyAdminMixin, admin.TabularInline[JournalLine, JournalTransaction]):
    model = JournalLine
    fields = readonly_fields = ("account_display", "debit", "credit", "loan")
    extra = 0

    @admin.display(description=_("account"))
    def account_display(self, line: JournalLine) -> str:
        return f"{line.account.code} {account_name(line.account)}"


@admin.register(JournalTransaction)
class JournalTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[JournalTransaction]):
    list_display = ["posted_at", "business_date", "kind", "description_shown", "idempotency_key"]
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
        "description_shown",
        "reverses",
    ]
    fields = tuple(readonly_fields)

    @admin.display(description=_("description"))
    def description_shown(self, transaction: JournalTransaction) -> str:
        return record_text(transaction.description)
