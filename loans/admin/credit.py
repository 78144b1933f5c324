"""Credit lines (granted by the scoring policy, read-only here) and the scoring policy
staff tune per product."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from common.admin_mixins import ReadOnlyAdminMixin
from loans.models import CreditLine, CreditScoringPolicy


@admin.register(CreditLine)
class CreditLineAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin[CreditLine]):
    list_display = ["borrower", "product", "limit", "daily_rate", "repayment_day", "status"]
    list_filter = ["status", "product"]
    search_fields = ["borrower__username", "borrower__email", "public_id"]
    list_select_related = ["borrower", "product"]
    ordering = ["-granted_at", "-pk"]
    readonly_fields = ["public_id", "borrower", "product", "granted_at", "repayment_day"]

    # Lines are granted by the scoring policy (tuned per product), not typed in here.


@admin.register(CreditScoringPolicy)
class CreditScoringPolicyAdmin(SimpleHistoryAdmin[CreditScoringPolicy]):
    list_display = ["product", "base_score", "min_score", "base_limit", "limit_per_point"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
